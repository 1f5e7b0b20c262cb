// A one-line progress bar for long work: redrawn in place on a terminal, a line every few seconds otherwise.

export interface ProgressBarOptions {
  /** Where it is drawn. @default process.stderr */
  readonly stream?: NodeJS.WriteStream;
  /** Characters of the bar itself. @default 30 */
  readonly width?: number;
  /** Fewest milliseconds between lines when the stream is not a terminal. @default 2000 */
  readonly plainIntervalMs?: number;
  /** Clock, for tests. @default Date.now */
  readonly now?: () => number;
}

/** Draws `[#####-----]  512/1000  <detail>`; `done()` leaves the last state on its own line. */
export class ProgressBar {
  private readonly stream: NodeJS.WriteStream;
  private readonly width: number;
  private readonly interval: number;
  private readonly now: () => number;
  private lastPlain = Number.NEGATIVE_INFINITY;
  private lastText = '';

  constructor(options: ProgressBarOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.width = options.width ?? 30;
    this.interval = options.plainIntervalMs ?? 2000;
    this.now = options.now ?? Date.now;
  }

  /** The bar's text for `done` of `total` (exported for tests and plain output). */
  render(done: number, total: number, detail: string): string {
    const ratio = total > 0 ? Math.min(1, done / total) : 0;
    const filled = Math.round(ratio * this.width);
    const count = `${String(done).padStart(String(total).length)}/${total}`;
    return `[${'#'.repeat(filled)}${'-'.repeat(this.width - filled)}] ${count}  ${detail}`;
  }

  update(done: number, total: number, detail: string): void {
    const text = this.render(done, total, detail);
    if (text === this.lastText) return;
    this.lastText = text;
    if (this.stream.isTTY) {
      this.stream.write(`\r\x1b[2K${text}`);
      return;
    }
    const now = this.now();
    if (now - this.lastPlain >= this.interval) {
      this.lastPlain = now;
      this.stream.write(`${text}\n`);
    }
  }

  /** Writes the final state as a finished line. */
  done(done: number, total: number, detail: string): void {
    const text = this.render(done, total, detail);
    this.stream.write(this.stream.isTTY ? `\r\x1b[2K${text}\n` : `${text}\n`);
  }
}
