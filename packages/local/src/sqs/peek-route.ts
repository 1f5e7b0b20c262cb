// A read-only admin route for `hf queue peek`: lists a queue's messages without receiving them (no count, no hiding).

import type { ServerResponse } from 'node:http';
import type { QueueStore } from './queue-store.js';

/** The path prefix of the admin routes; SQS itself only uses `POST /`. */
export const PEEK_PATH = '/_hf/peek/';

export interface PeekedMessage {
  readonly MessageId: string;
  readonly Body: string;
  readonly SentTimestamp: number;
  readonly ApproximateReceiveCount: number;
  /** False while delayed or in flight. */
  readonly visible: boolean;
}

/** Answers `GET /_hf/peek/<queue>?max=N` with up to N (default 10) messages, oldest first. */
export function servePeek(store: QueueStore, path: string, now: number, res: ServerResponse): void {
  const url = new URL(path, 'http://local');
  const name = decodeURIComponent(url.pathname.slice(PEEK_PATH.length));
  const queue = store.queues.get(name);
  const json = (status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (!queue) {
    json(404, { message: `Local SQS endpoint: no queue named ${name}.` });
    return;
  }
  const max = Math.max(1, Number(url.searchParams.get('max') ?? 10) || 10);
  const messages: PeekedMessage[] = [];
  for (const m of queue.messages.values()) {
    if (messages.length >= max) break;
    messages.push({
      MessageId: m.id,
      Body: m.body,
      SentTimestamp: m.sentAt,
      ApproximateReceiveCount: m.receiveCount,
      visible: m.visibleAt <= now,
    });
  }
  json(200, { messages });
}
