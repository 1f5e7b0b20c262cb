// The SQS endpoint's durable log: records appended and group-committed with fdatasync, replayed on start, compacted.

import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, truncateSync } from 'node:fs';
import { open, rename, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { MessageAttributeValue } from './message-md5.js';

/** A message as stored: everything needed to answer a receive after a restart. */
export interface StoredMessage {
  readonly id: string;
  readonly body: string;
  readonly attributes: Record<string, MessageAttributeValue>;
  readonly systemAttributes: Record<string, MessageAttributeValue>;
  /** Epoch ms when it was sent (the retention clock starts here; a DLQ move keeps it, as SQS does). */
  readonly sentAt: number;
  /** Epoch ms from which it may be received (delay, or the end of its visibility timeout). */
  visibleAt: number;
  receiveCount: number;
  firstReceiveAt?: number;
  /** The receipt handle of the latest receive; older ones are stale. */
  handle?: string;
  /** ARN of the queue it was dead-lettered from, for a redrive without a destination. */
  deadLetterSourceArn?: string;
}

/** Every record sets state absolutely, so replaying one twice (after a compaction) changes nothing. */
export type JournalRecord =
  | {
      readonly op: 'queue';
      readonly name: string;
      readonly attributes: Record<string, string>;
      readonly created: number;
      readonly modified: number;
    }
  | { readonly op: 'deleteQueue'; readonly name: string }
  | { readonly op: 'put'; readonly queue: string; readonly message: StoredMessage }
  | {
      readonly op: 'update';
      readonly queue: string;
      readonly id: string;
      readonly visibleAt: number;
      readonly receiveCount: number;
      readonly firstReceiveAt?: number;
      readonly handle?: string;
    }
  | { readonly op: 'delete'; readonly queue: string; readonly id: string }
  | { readonly op: 'purge'; readonly queue: string };

interface Pending {
  readonly bytes: string;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

const FILE = 'sqs.journal';

/** Reads the records of `dataDir`'s journal, dropping (and cutting off) a torn last line left by a crash. */
export function readJournal(dataDir: string): JournalRecord[] {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const records: JournalRecord[] = [];
  let good = 0;
  while (good < text.length) {
    const end = text.indexOf('\n', good);
    if (end < 0) break;
    try {
      records.push(JSON.parse(text.slice(good, end)) as JournalRecord);
    } catch {
      break;
    }
    good = end + 1;
  }
  if (good < text.length) truncateSync(path, Buffer.byteLength(text.slice(0, good), 'utf8'));
  return records;
}

/** Appends records durably. Concurrent appends share one write and one fdatasync (group commit). */
export class Journal {
  private pending: Pending[] = [];
  private flushing = false;
  private closed = false;
  private sizeAfterCompaction: number;

  private constructor(
    private readonly dataDir: string,
    private handle: FileHandle,
    private size: number,
    private readonly compactBytes: number,
    private readonly snapshot: () => JournalRecord[],
  ) {
    this.sizeAfterCompaction = size;
  }

  /** Opens `dataDir`'s journal for appending; `snapshot` gives the live state when it is compacted. */
  static async open(dataDir: string, compactBytes: number, snapshot: () => JournalRecord[]): Promise<Journal> {
    const handle = await open(join(dataDir, FILE), 'a');
    const { size } = await handle.stat();
    return new Journal(dataDir, handle, size, compactBytes, snapshot);
  }

  /** Resolves once the records are on disk. */
  append(records: readonly JournalRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    if (this.closed) return Promise.reject(new Error(`SQS journal in ${this.dataDir} is closed`));
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ bytes: records.map((r) => `${JSON.stringify(r)}\n`).join(''), resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  /** Bytes in the journal file now. */
  get bytes(): number {
    return this.size;
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0);
      const buffer = Buffer.from(batch.map((p) => p.bytes).join(''), 'utf8');
      try {
        let written = 0;
        while (written < buffer.length) {
          written += (await this.handle.write(buffer, written, buffer.length - written)).bytesWritten;
        }
        await this.handle.datasync();
        this.size += buffer.length;
        for (const p of batch) p.resolve();
      } catch (error) {
        const failure = new Error(`SQS journal in ${this.dataDir}: write failed: ${(error as Error).message}`);
        for (const p of batch) p.reject(failure);
      }
      if (this.size > Math.max(this.compactBytes, 2 * this.sizeAfterCompaction)) {
        await this.compact().catch(() => {
          // Compaction is an optimisation; the uncompacted journal stays correct.
        });
      }
    }
    this.flushing = false;
  }

  /** Rewrites the journal as the live state: written to a temporary file, synced, then renamed over it. */
  private async compact(): Promise<void> {
    const tmp = join(this.dataDir, `${FILE}.tmp`);
    const text = this.snapshot()
      .map((r) => `${JSON.stringify(r)}\n`)
      .join('');
    const out = await open(tmp, 'w');
    try {
      await out.writeFile(text, 'utf8');
      await out.datasync();
    } finally {
      await out.close();
    }
    await rename(tmp, join(this.dataDir, FILE));
    const dir = openSync(this.dataDir, 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
    await this.handle.close();
    this.handle = await open(join(this.dataDir, FILE), 'a');
    this.size = Buffer.byteLength(text, 'utf8');
    this.sizeAfterCompaction = this.size;
  }

  /** Waits for pending writes, then closes the file. */
  async close(): Promise<void> {
    while (this.flushing || this.pending.length > 0) await new Promise((r) => setTimeout(r, 5));
    this.closed = true;
    await this.handle.close();
  }
}
