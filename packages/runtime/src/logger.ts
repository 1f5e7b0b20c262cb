// JSON logging (pino) with the workload and task on every line, so one CloudWatch Logs Insights query can follow a flow.

import { type Logger, pino } from 'pino';

export type { Logger } from 'pino';

export interface LoggerOptions {
  /** Component name shown as `component`. @default - none */
  readonly component?: string;
  /** Minimum level. @default process.env.LOG_LEVEL ?? 'info' */
  readonly level?: string;
  /** Where lines go. @default process.stdout */
  readonly destination?: NodeJS.WritableStream;
}

/** A pino logger writing one JSON object per line, with `workload` from the environment contract. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const base: Record<string, string> = {};
  if (process.env.HF_WORKLOAD) base.workload = process.env.HF_WORKLOAD;
  if (options.component) base.component = options.component;
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      base,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    (options.destination ?? process.stdout) as pino.DestinationStream,
  );
}
