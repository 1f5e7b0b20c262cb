// Gives one client of the embedded database the PGlite session for a whole request, not just one protocol message.

import type { PGlite } from '@electric-sql/pglite';
import type { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/** A queued protocol message, as pglite-socket's query queue keeps it. */
interface QueuedMessage {
  readonly handlerId: number;
  readonly message: Uint8Array;
  readonly resolve: (bytes: number) => void;
  readonly reject: (error: unknown) => void;
  readonly timestamp: number;
  readonly onData: (data: Uint8Array) => void;
}

/** The parts of pglite-socket 0.2's (unexported) query queue this gate replaces. */
interface QueryQueue {
  queue: QueuedMessage[];
  processing: boolean;
  lastHandlerId: number | null;
  processQueue(): Promise<void>;
  clearQueueForHandler(handlerId: number): void;
}

/**
 * Frontend message types that open (or continue) an extended-protocol request, which only Sync ends: Parse, Bind,
 * Describe, Execute, Close, Flush. Every other message (Sync, Query, the untyped startup message, a password,
 * Terminate) is a request on its own.
 */
const EXTENDED = new Set([0x50, 0x42, 0x44, 0x45, 0x43, 0x48]); // P B D E C H

/**
 * pglite-socket runs the messages of all clients one at a time on PGlite's single session, and keeps the session for
 * one client only while `isInTransaction()`. An extended-protocol request (Parse, Bind, Describe, Execute, Sync) is
 * not yet in a transaction between Parse and Sync, so another client's messages could run in between: its Parse
 * replaces the unnamed statement and its Bind the unnamed portal ("portal does not exist", another query's rows).
 * Under concurrent requests with a transaction going on, a test saw 363 of 600 queries answered wrongly. This gate
 * keeps the session with one client from its first message until its request is over (Sync processed, or a
 * message that is a request on its own) and no transaction is open, so each client sees what a separate PostgreSQL connection would give it.
 */
export function gateSessions(server: PGLiteSocketServer, db: PGlite): void {
  const queue = (server as unknown as { queryQueue?: QueryQueue }).queryQueue;
  if (!queue || !Array.isArray(queue.queue) || typeof queue.processQueue !== 'function') {
    throw new Error('pglite-socket changed: its query queue is not the one the local database expects');
  }
  let owner: number | null = null;

  queue.processQueue = async function processQueue(this: QueryQueue): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    try {
      while (this.queue.length > 0) {
        const index = owner === null ? 0 : this.queue.findIndex((m) => m.handlerId === owner);
        if (index === -1) break; // the owner's next message has not arrived yet: everyone else waits for it
        const [item] = this.queue.splice(index, 1) as [QueuedMessage];
        let bytes = 0;
        try {
          await db.runExclusive(() =>
            db.execProtocolRawStream(item.message, {
              onRawData: (data: Uint8Array) => {
                bytes += data.length;
                item.onData(data);
              },
            }),
          );
        } catch (error) {
          owner = null;
          item.reject(error);
          continue;
        }
        const requestOpen = EXTENDED.has(item.message[0] as number);
        owner = !requestOpen && !db.isInTransaction() ? null : item.handlerId;
        this.lastHandlerId = item.handlerId;
        item.resolve(bytes);
      }
    } finally {
      this.processing = false;
    }
  };

  const clear = queue.clearQueueForHandler.bind(queue);
  queue.clearQueueForHandler = (handlerId: number) => {
    clear(handlerId);
    if (owner === handlerId) owner = null; // a client that went away mid-request releases the session
    queueMicrotask(() => void queue.processQueue());
  };
}
