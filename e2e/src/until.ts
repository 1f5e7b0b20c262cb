// Polls a probe until it returns a value or a deadline passes: for state that another process changes.

export interface UntilOptions {
  /** Give up after this long. @default 30_000 */
  readonly timeoutMs?: number;
  /** Milliseconds between probes. @default 100 */
  readonly intervalMs?: number;
}

/** The probe's first defined value; after the timeout, an error saying what was awaited and the last value seen. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  options: UntilOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const intervalMs = options.intervalMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
