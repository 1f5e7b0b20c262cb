// The error for a message whose body is JSON but not the shape its queue carries.

/**
 * Thrown by a handler for a body it cannot use. The worker logs it and leaves the message on the queue; after the
 * queue's maxReceiveCount receives SQS moves it to the dead-letter queue, where a person can read it.
 */
export class MalformedJobError extends Error {
  override readonly name = 'MalformedJobError';
  readonly code = 'HF_MALFORMED_JOB';
  constructor(
    readonly queue: string,
    problem: string,
    readonly body: unknown,
  ) {
    super(`malformed ${queue} message: ${problem}; it goes to ${queue}-dlq after the queue's maxReceiveCount receives`);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
