// The `hf` command line: parses arguments, dispatches to a command, turns errors into messages and exit codes.

import { parseArgs } from 'node:util';
import { DeclarationError } from '@hello-fargate/workload';
import { CliError } from './cli-error.js';
import { bundleCommand } from './commands/bundle.js';
import { runTaskLocally } from './commands/run-task.js';
import { startCommand } from './commands/start.js';
import { statusCommand } from './commands/status.js';
import { queueCommand } from './commands/queue.js';
import { tokenCommand } from './commands/token.js';
import { findProjectRoot } from './load-system.js';

export const USAGE = `usage: hf <command> [options]

commands:
  start                               run the whole system locally until Ctrl-C
      --database-port <port>          embedded PostgreSQL port (default 7432; a free one if busy)
      --control-port <port>           control API port (default 7400; a free one if busy)
  status [--json]                     the running local system's endpoints and workload states
  run-task <workload> [-- args…]      run one task like ECS RunTask; exits with the task's exit code
      --env <env>                     run it in the deployed AWS environment instead (e.g. staging)
  token --client <id> [--scope <s>]   an access token from the local identity provider (client credentials)
  queue stats [queue…]                message counts of the local queues (and their DLQs)
  queue peek <queue> [--max N]        messages in a queue, without receiving them
  queue send <queue> <body>           send one message
  queue redrive <queue>-dlq           move a DLQ's messages back to their queue
  bundle <workload> --out <dir>       bundle a workload as its container image holds it
      --assets copy|link              place asset folders by copy (images) or symlink (default copy)
  help                                this text
`;

/** Runs the CLI and resolves with the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const dashDash = argv.indexOf('--');
  const own = dashDash >= 0 ? argv.slice(0, dashDash) : [...argv];
  const passThrough = dashDash >= 0 ? argv.slice(dashDash + 1) : undefined;
  const [command, ...rest] = own;
  try {
    switch (command) {
      case 'start': {
        const { values } = parse(rest, { 'database-port': { type: 'string' }, 'control-port': { type: 'string' } }, 0);
        return await startCommand({
          root: findProjectRoot(),
          ...optionalPort('database-port', values['database-port'], 'databasePort'),
          ...optionalPort('control-port', values['control-port'], 'controlPort'),
        });
      }
      case 'status': {
        const { values } = parse(rest, { json: { type: 'boolean' } }, 0);
        return await statusCommand({ root: findProjectRoot(), json: values.json === true });
      }
      case 'run-task': {
        const { values, positionals } = parse(rest, { env: { type: 'string' } }, 1);
        const workload = positionals[0] as string;
        if (typeof values.env === 'string') {
          const { runTaskOnAwsCommand } = await import('./commands/run-task-aws.js');
          return await runTaskOnAwsCommand({
            root: findProjectRoot(),
            environment: values.env,
            workload,
            args: passThrough ?? [],
          });
        }
        return await runTaskLocally({ root: findProjectRoot(), workload, args: passThrough });
      }
      case 'token': {
        const { values } = parse(rest, { client: { type: 'string' }, scope: { type: 'string' } }, 0);
        if (typeof values.client !== 'string')
          throw new CliError('token needs --client <id> (see local/identity.json)', 2);
        return await tokenCommand({
          root: findProjectRoot(),
          client: values.client,
          ...(typeof values.scope === 'string' ? { scope: values.scope } : {}),
        });
      }
      case 'queue': {
        const { values, positionals } = parseAny(rest, { max: { type: 'string' } });
        const [action, ...args] = positionals;
        if (!action) throw new CliError('hf queue needs an action: stats, peek, send or redrive', 2);
        const max = values.max === undefined ? undefined : Number(values.max);
        if (max !== undefined && (!Number.isInteger(max) || max < 1 || max > 100)) {
          throw new CliError('--max must be a whole number from 1 to 100', 2);
        }
        return await queueCommand({ root: findProjectRoot(), action, args, ...(max ? { max } : {}) });
      }
      case 'bundle': {
        const { values, positionals } = parse(rest, { out: { type: 'string' }, assets: { type: 'string' } }, 1);
        if (typeof values.out !== 'string') throw new CliError('bundle needs --out <dir>', 2);
        return await bundleCommand({
          root: findProjectRoot(),
          workload: positionals[0] as string,
          out: values.out,
          assets: typeof values.assets === 'string' ? values.assets : 'copy',
        });
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new CliError(`unknown command "${command}"\n\n${USAGE}`, 2);
    }
  } catch (error) {
    return report(error);
  }
}

type Spec = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

function parse<T extends Spec>(args: string[], options: T, positionalCount: number) {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliError(`${(error as Error).message}\n\n${USAGE}`, 2);
  }
  if (parsed.positionals.length !== positionalCount) {
    throw new CliError(
      positionalCount === 0
        ? `unexpected argument "${parsed.positionals[0]}"; task arguments go after "--"`
        : `expected ${positionalCount} argument (a workload name), got ${parsed.positionals.length}; task arguments go after "--"`,
      2,
    );
  }
  return parsed;
}

/** Like parse, for commands whose positional arguments vary. */
function parseAny<T extends Spec>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliError(`${(error as Error).message}\n\n${USAGE}`, 2);
  }
}

function optionalPort<K extends string>(flag: string, raw: unknown, key: K): Partial<Record<K, number>> {
  if (raw === undefined) return {};
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new CliError(`--${flag} must be a port number (0–65535)`, 2);
  return { [key]: port } as Partial<Record<K, number>>;
}

function report(error: unknown): number {
  if (error instanceof CliError) {
    process.stderr.write(`hf: ${error.message}\n`);
    return error.exitCode;
  }
  if (error instanceof DeclarationError) {
    process.stderr.write(`hf: invalid declaration: ${error.message}\n`);
    return 1;
  }
  const err = error as Error;
  process.stderr.write(`hf: ${err?.message ?? String(error)}\n`);
  if (process.env.HF_DEBUG) process.stderr.write(`${err?.stack ?? ''}\n`);
  return 1;
}
