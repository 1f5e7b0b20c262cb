// The SQS endpoint's state: queues and their messages in memory, every change applied and journaled in one step.

import { Journal, readJournal, type JournalRecord, type StoredMessage } from './journal.js';

export interface QueueState {
  readonly name: string;
  attributes: Record<string, string>;
  readonly created: number;
  modified: number;
  /** In send order; a receive scans from the oldest. */
  readonly messages: Map<string, StoredMessage>;
}

/** Queues, messages, the journal behind them, and the long polls waiting on them. */
export class QueueStore {
  readonly queues = new Map<string, QueueState>();
  private journal: Journal | undefined;
  private readonly waiters = new Map<string, Set<() => void>>();

  /** Replays `dataDir`'s journal and opens it for appending. */
  static async open(dataDir: string, compactBytes: number): Promise<QueueStore> {
    const store = new QueueStore();
    for (const record of readJournal(dataDir)) store.apply(record);
    store.journal = await Journal.open(dataDir, compactBytes, () => store.snapshot());
    return store;
  }

  /** Applies the records now and resolves once they are durable. */
  commit(records: readonly JournalRecord[]): Promise<void> {
    for (const record of records) this.apply(record);
    if (!this.journal) throw new Error('SQS queue store used before it was opened');
    return this.journal.append(records);
  }

  get journalBytes(): number {
    return this.journal?.bytes ?? 0;
  }

  private apply(record: JournalRecord): void {
    switch (record.op) {
      case 'queue': {
        const existing = this.queues.get(record.name);
        if (existing) {
          existing.attributes = { ...record.attributes };
          existing.modified = record.modified;
        } else {
          this.queues.set(record.name, {
            name: record.name,
            attributes: { ...record.attributes },
            created: record.created,
            modified: record.modified,
            messages: new Map(),
          });
        }
        break;
      }
      case 'deleteQueue':
        this.queues.delete(record.name);
        break;
      case 'put':
        this.queues.get(record.queue)?.messages.set(record.message.id, { ...record.message });
        this.notify(record.queue);
        break;
      case 'update': {
        const message = this.queues.get(record.queue)?.messages.get(record.id);
        if (!message) break;
        message.visibleAt = record.visibleAt;
        message.receiveCount = record.receiveCount;
        if (record.firstReceiveAt !== undefined) message.firstReceiveAt = record.firstReceiveAt;
        if (record.handle !== undefined) message.handle = record.handle;
        this.notify(record.queue);
        break;
      }
      case 'delete':
        this.queues.get(record.queue)?.messages.delete(record.id);
        break;
      case 'purge':
        this.queues.get(record.queue)?.messages.clear();
        break;
    }
  }

  /** The live state as records: what a compacted journal holds. */
  private snapshot(): JournalRecord[] {
    const records: JournalRecord[] = [];
    for (const queue of this.queues.values()) {
      records.push({
        op: 'queue',
        name: queue.name,
        attributes: queue.attributes,
        created: queue.created,
        modified: queue.modified,
      });
      for (const message of queue.messages.values()) records.push({ op: 'put', queue: queue.name, message });
    }
    return records;
  }

  /** Resolves when `queue` gets a message or a visibility change, or after `ms`. */
  waitForChange(queue: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const set = this.waiters.get(queue) ?? new Set();
      this.waiters.set(queue, set);
      const done = (): void => {
        clearTimeout(timer);
        set.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      set.add(done);
    });
  }

  private notify(queue: string): void {
    for (const wake of [...(this.waiters.get(queue) ?? [])]) wake();
  }

  async close(): Promise<void> {
    for (const set of this.waiters.values()) for (const wake of [...set]) wake();
    await this.journal?.close();
  }
}
