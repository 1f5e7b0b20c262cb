// The local SQS endpoint's public API: start it, and the `hf queue` commands that talk to it.

export { startSqsEndpoint, type QueueStats, type SqsEndpoint, type SqsEndpointOptions } from './sqs-endpoint.js';
export { md5OfBody, md5OfMessageAttributes, type MessageAttributeValue } from './message-md5.js';
export {
  queuePeek,
  queueRedrive,
  queueSend,
  queueStats,
  type QueueCommandOptions,
  type QueueStatsRow,
} from './queue-commands.js';
export type { PeekedMessage } from './peek-route.js';
