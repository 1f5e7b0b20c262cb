// The entry point of a task container: dispatches a command, turns failures into clear messages and exit codes.

import { ConfigError } from './config-error.js';
import { createLogger, type Logger } from './logger.js';

export interface TaskContext {
  /** Arguments after the command name. */
  readonly args: readonly string[];
  readonly logger: Logger;
  /** Aborted on SIGTERM/SIGINT: stop taking new work and finish within the stop timeout. */
  readonly signal: AbortSignal;
}

/** A command returns its exit code (0 when it returns nothing). */
export type TaskCommand = (context: TaskContext) => Promise<number | undefined> | number | undefined;

/** A failure whose message is meant for people, with the exit code to use. */
export class TaskFailure extends Error {
  override readonly name = 'TaskFailure';
  constructor(
    message: string,
    readonly exitCode = 1,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface TaskMainOptions {
  /** Arguments (command first). @default process.argv.slice(2) */
  readonly argv?: readonly string[];
  /** Command used when argv is empty. @default - none: usage is printed and the exit code is 2 */
  readonly defaultCommand?: string;
  readonly logger?: Logger;
}

/** Runs one of `commands` and resolves with the exit code; `runTaskMain` also sets process.exitCode. */
export async function runTask(commands: Record<string, TaskCommand>, options: TaskMainOptions = {}): Promise<number> {
  const logger = options.logger ?? createLogger();
  const argv = options.argv ?? process.argv.slice(2);
  const name = argv[0] ?? options.defaultCommand;
  const usage = `commands: ${Object.keys(commands).join(', ')}`;
  if (name === undefined || !Object.hasOwn(commands, name)) {
    const what = name === undefined ? 'no command given' : `unknown command "${name}"`;
    process.stderr.write(`error: ${what}; ${usage}\n`);
    logger.error({ command: name, exitCode: 2 }, `${what}; ${usage}`);
    return 2;
  }
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    logger.warn({ signal }, `received ${signal}: finishing current work`);
    controller.abort(new Error(`stopped by ${signal}`));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  const started = Date.now();
  try {
    const command = commands[name] as TaskCommand;
    const code = (await command({ args: argv.slice(1), logger, signal: controller.signal })) ?? 0;
    logger.info({ command: name, exitCode: code, durationMs: Date.now() - started }, `${name} finished`);
    return code;
  } catch (error) {
    const exitCode = error instanceof TaskFailure ? error.exitCode : 1;
    const message = describeError(error);
    process.stderr.write(`error: ${name}: ${message}\n`);
    // A TaskFailure or ConfigError is an expected outcome with a message meant for people; only unexpected errors
    // carry their stack into the log.
    const expected = error instanceof TaskFailure || error instanceof ConfigError;
    logger.error({ command: name, exitCode, ...(expected ? {} : { err: error }) }, `${name} failed: ${message}`);
    return exitCode;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}

/** `runTask`, then exit with its code once logs are flushed. */
export async function runTaskMain(commands: Record<string, TaskCommand>, options: TaskMainOptions = {}): Promise<void> {
  process.exitCode = await runTask(commands, options);
}

/** A one-line, human message for any thrown value. */
export function describeError(error: unknown): string {
  if (error instanceof TaskFailure || error instanceof ConfigError) return error.message;
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
