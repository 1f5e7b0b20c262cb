// The `hf` command line: parses arguments, dispatches to a command, turns errors into messages and exit codes.

import { parseArgs } from 'node:util';
import { DeclarationError } from '@hello-fargate/workload';
import { CliError } from './cli-error.js';
import { batchCommand } from './commands/batch.js';
import { bundleCommand } from './commands/bundle.js';
import { runTaskLocally } from './commands/run-task.js';
import { startCommand } from './commands/start.js';
import { statusCommand } from './commands/status.js';
import { queueCommand } from './commands/queue.js';
import { tokenCommand } from './commands/token.js';
import { workflowCommand } from './commands/workflow.js';
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
  workflow list                       the workflows, their schedules and next fire times
  workflow run-now <name>             start an execution now and follow its states; exits 0 when it succeeds
      --input <json>                  execution input (default {})
      --no-wait                       return once started
  workflow history <name>             past executions, and the state timeline of the newest
      --execution <name|arn>          show this execution's timeline instead
      --verbose                       every history event (branches, exit-code checks) too
  batch submit <workload> [-- cmd…]   submit an AWS Batch job (local); follows it with a progress bar
      --array-size <n>                an array job of n children (2–10000)
      --queue <name>                  job queue (default: the workload's batch.jobQueue)
      --depends-on <id>[:N_TO_N|:SEQUENTIAL]   wait for another job (repeatable)
      --name <name>  --no-wait
  batch submit --file <jobs.json>     jobs that depend on each other by name; a cycle is refused before any runs
  batch describe <job-id> [--json]    a job's state, attempts, array summary
  workflow run-now|history <name> --env <env>   the same against a deployed environment (Step Functions)
  batch submit|describe|list … --env <env>      the same against a deployed environment (AWS Batch)
  batch list [--queue q] [--status s] [--array-job id] [--json]
  deploy --env <env> [workload…]      synth, deploy shared + oneoff stacks, run migrations, deploy the rest
      --concurrency <n>               stacks the CDK CLI deploys at once (default 1)
  diff --env <env>                    what a deploy would change (exits 0 either way)
  destroy --env <env>                 delete the environment's stacks; asks for its name; keeps the database
      --yes                           do not ask (required when stdin is not a terminal)
      --including-data                also delete the database stack (Aurora takes a final snapshot)
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
      case 'workflow': {
        const { values, positionals } = parseAny(rest, {
          input: { type: 'string' },
          'no-wait': { type: 'boolean' },
          execution: { type: 'string' },
          limit: { type: 'string' },
          json: { type: 'boolean' },
          verbose: { type: 'boolean' },
          env: { type: 'string' },
        });
        const [action, ...args] = positionals;
        if (!action) throw new CliError('hf workflow needs an action: list, run-now or history', 2);
        const limit = values.limit === undefined ? undefined : Number(values.limit);
        if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
          throw new CliError('--limit must be a whole number, at least 1', 2);
        }
        if (typeof values.env === 'string') {
          const { workflowOnAwsCommand } = await import('./commands/workflow-aws.js');
          return await workflowOnAwsCommand({
            root: findProjectRoot(),
            environment: values.env,
            action,
            args,
            ...(typeof values.input === 'string' ? { input: values.input } : {}),
            noWait: values['no-wait'] === true,
            ...(typeof values.execution === 'string' ? { execution: values.execution } : {}),
            ...(limit !== undefined ? { limit } : {}),
            verbose: values.verbose === true,
          });
        }
        return await workflowCommand({
          root: findProjectRoot(),
          action,
          args,
          ...(typeof values.input === 'string' ? { input: values.input } : {}),
          noWait: values['no-wait'] === true,
          ...(typeof values.execution === 'string' ? { execution: values.execution } : {}),
          ...(limit !== undefined ? { limit } : {}),
          json: values.json === true,
          verbose: values.verbose === true,
        });
      }
      case 'batch': {
        const { values, positionals } = parseAny(rest, {
          'array-size': { type: 'string' },
          queue: { type: 'string' },
          name: { type: 'string' },
          'depends-on': { type: 'string', multiple: true },
          'no-wait': { type: 'boolean' },
          status: { type: 'string' },
          'array-job': { type: 'string' },
          json: { type: 'boolean' },
          file: { type: 'string' },
          env: { type: 'string' },
        });
        const [action, ...args] = positionals;
        if (!action) throw new CliError('hf batch needs an action: submit, describe or list', 2);
        const raw = values['array-size'];
        const arraySize = raw === undefined ? undefined : Number(raw);
        if (arraySize !== undefined && !Number.isInteger(arraySize)) {
          throw new CliError(`--array-size "${raw}" must be a whole number from 2 to 10000`, 2);
        }
        if (typeof values.env === 'string') {
          const { batchOnAwsCommand } = await import('./commands/batch-aws.js');
          return await batchOnAwsCommand({
            root: findProjectRoot(),
            environment: values.env,
            action,
            args,
            ...(arraySize !== undefined ? { arraySize } : {}),
            ...(typeof values.name === 'string' ? { name: values.name } : {}),
            ...(values['depends-on'] ? { dependsOn: values['depends-on'] as string[] } : {}),
            noWait: values['no-wait'] === true,
            ...(typeof values.status === 'string' ? { status: values.status } : {}),
            ...(typeof values['array-job'] === 'string' ? { arrayJob: values['array-job'] } : {}),
            json: values.json === true,
            ...(typeof values.queue === 'string' ? { queue: values.queue } : {}),
            ...(typeof values.file === 'string' ? { file: values.file } : {}),
            ...(passThrough ? { command: passThrough } : {}),
          });
        }
        return await batchCommand({
          root: findProjectRoot(),
          action,
          args,
          ...(arraySize !== undefined ? { arraySize } : {}),
          ...(typeof values.queue === 'string' ? { queue: values.queue } : {}),
          ...(typeof values.name === 'string' ? { name: values.name } : {}),
          ...(values['depends-on'] ? { dependsOn: values['depends-on'] as string[] } : {}),
          noWait: values['no-wait'] === true,
          ...(typeof values.status === 'string' ? { status: values.status } : {}),
          ...(typeof values['array-job'] === 'string' ? { arrayJob: values['array-job'] } : {}),
          json: values.json === true,
          ...(typeof values.file === 'string' ? { file: values.file } : {}),
          ...(passThrough ? { command: passThrough } : {}),
        });
      }
      case 'deploy': {
        const { values, positionals } = parseAny(rest, { env: { type: 'string' }, concurrency: { type: 'string' } });
        if (typeof values.env !== 'string') throw new CliError('hf deploy needs --env <env> (e.g. staging)', 2);
        const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
        if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1)) {
          throw new CliError('--concurrency must be a whole number, at least 1', 2);
        }
        const { deployCommand } = await import('./commands/deploy.js');
        return await deployCommand({
          root: findProjectRoot(),
          environment: values.env,
          workloads: positionals,
          ...(concurrency ? { concurrency } : {}),
        });
      }
      case 'diff': {
        const { values } = parse(rest, { env: { type: 'string' } }, 0);
        if (typeof values.env !== 'string') throw new CliError('hf diff needs --env <env> (e.g. staging)', 2);
        const { diffCommand } = await import('./commands/diff.js');
        return await diffCommand({ root: findProjectRoot(), environment: values.env });
      }
      case 'destroy': {
        const { values } = parse(
          rest,
          { env: { type: 'string' }, yes: { type: 'boolean' }, 'including-data': { type: 'boolean' } },
          0,
        );
        if (typeof values.env !== 'string') throw new CliError('hf destroy needs --env <env> (e.g. staging)', 2);
        const { destroyCommand } = await import('./commands/destroy.js');
        return await destroyCommand({
          root: findProjectRoot(),
          environment: values.env,
          yes: values.yes === true,
          includingData: values['including-data'] === true,
        });
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
