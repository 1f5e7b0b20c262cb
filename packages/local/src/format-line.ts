// Makes a task's JSON log line readable in the terminal; other lines pass through unchanged.

const HIDDEN = new Set(['time', 'level', 'msg', 'workload', 'pid', 'hostname']);

/** `oneoff/1a2b3c4d | {"level":"info","time":"…","msg":"hi","n":1}` → `oneoff/1a2b3c4d | 12:00:01 info  hi {"n":1}`. */
export function formatLine(line: string): string {
  const bar = line.indexOf(' | ');
  if (bar < 0) return line;
  const prefix = line.slice(0, bar);
  const text = line.slice(bar + 3);
  if (!text.startsWith('{')) return line;
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return line;
  }
  if (typeof record.msg !== 'string') return line;
  const time = typeof record.time === 'string' ? record.time.slice(11, 19) : '';
  const level = String(record.level ?? '').padEnd(5);
  const extra = Object.fromEntries(Object.entries(record).filter(([k]) => !HIDDEN.has(k)));
  const rest = Object.keys(extra).length > 0 ? ` ${JSON.stringify(extra)}` : '';
  return `${prefix} | ${time} ${level} ${record.msg}${rest}`;
}
