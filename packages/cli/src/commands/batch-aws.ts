// `hf batch submit|describe|list --env <env>`: builds the AWS clients for the environment and acts on AWS Batch there.

import { BatchClient } from '@aws-sdk/client-batch';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { System } from '@hello-fargate/workload';
import { AwsCommandError, toCliError } from '../aws/aws-command-error.js';
import {
  type BatchOnAwsClients,
  type BatchOnAwsOutput,
  checkSubmitOptions,
  describeBatchJobOnAws,
  listBatchJobsOnAws,
  submitBatchJobOnAws,
} from '../aws/batch-on-aws.js';
import { interruptOnSigint } from '../aws/interrupt-on-sigint.js';
import { loadEnvironmentRegion } from '../aws/load-environment-region.js';
import { terminalOutput } from '../aws/terminal-output.js';
import { CliError } from '../cli-error.js';
import { loadSystem } from '../load-system.js';

export interface BatchOnAwsCommandOptions {
  readonly root: string;
  /** The deployed environment (`--env`), one of infra/config's. */
  readonly environment: string;
  /** `submit`, `describe` or `list`. */
  readonly action: string;
  /** submit: the batchjob workload; describe: the job id; list: a batchjob workload, or none for all of them. */
  readonly args: readonly string[];
  /** submit: children of an array job, 2–10,000. @default - a single job */
  readonly arraySize?: number;
  /** submit: the job's name. @default `<workload>-<UTC yyyymmddhhmmss>` */
  readonly name?: string;
  /** submit: `jobId`, `jobId:N_TO_N` or `jobId:SEQUENTIAL`, at most 20. @default - none */
  readonly dependsOn?: readonly string[];
  /** submit: return once submitted instead of following the job. @default false */
  readonly noWait?: boolean;
  /** submit: container command override (after `--`). @default - the job definition's command */
  readonly command?: readonly string[];
  /** list: only jobs in this status. @default - every status */
  readonly status?: string;
  /** list: children of this array job. @default - the queues' jobs */
  readonly arrayJob?: string;
  /** describe/list: print the API's JSON. @default false */
  readonly json?: boolean;
  /** Refused with --env: the queue is the one the workload's stack deployed. @default - the stack's queue */
  readonly queue?: string;
  /** Refused with --env: job files are submitted by the local runner only. @default - none */
  readonly file?: string;
  /** For tests. @default - Batch and CloudFormation clients for the environment's region */
  readonly clients?: BatchOnAwsClients;
  /** For tests. @default - aborted by the first Ctrl-C (a second one exits at once) */
  readonly signal?: AbortSignal;
  /** For tests. @default - stdout, and stderr prefixed `hf: ` for progress */
  readonly output?: BatchOnAwsOutput;
}

/** Runs the action against the environment and resolves with the exit code; failures are CliErrors. */
export async function batchOnAwsCommand(options: BatchOnAwsCommandOptions): Promise<number> {
  const { root, environment, action, args } = options;
  if (action !== 'submit' && action !== 'describe' && action !== 'list') {
    throw new CliError(`unknown action "${action}"; use submit, describe or list`, 2);
  }
  if (options.queue !== undefined) {
    throw new CliError(`--queue does not apply with --env: jobs go to the queue the workload's stack deployed`, 2);
  }
  if (options.file !== undefined) {
    throw new CliError('--file job graphs run on the local runner only; submit each job with --depends-on instead', 2);
  }
  try {
    if (action === 'submit')
      checkSubmitOptions({ arraySize: options.arraySize, dependsOn: options.dependsOn, jobName: options.name });
  } catch (error) {
    if (error instanceof AwsCommandError) throw toCliError(error);
    throw error;
  }
  const region = await loadEnvironmentRegion(root, environment);
  const output = options.output ?? terminalOutput();
  const clients = options.clients ?? {
    batch: new BatchClient({ region }),
    cloudformation: new CloudFormationClient({ region }),
  };

  const following = action === 'submit' && !options.noWait && options.signal === undefined;
  const sigint = following ? interruptOnSigint('no longer following; the job keeps running in AWS Batch') : undefined;
  try {
    switch (action) {
      case 'describe': {
        const [jobId, ...extra] = args;
        if (!jobId || extra.length > 0) throw new CliError('hf batch describe --env needs one job id', 2);
        await describeBatchJobOnAws({ environment, jobId, clients, output, json: options.json ?? false });
        return 0;
      }
      case 'list': {
        const system = await loadSystem(root);
        if (args.length > 1) throw new CliError('hf batch list --env takes at most one batchjob workload', 2);
        const workloads = args[0] !== undefined ? [batchJobWorkload(system, args[0])] : batchJobWorkloads(system);
        await listBatchJobsOnAws({
          system: system.name,
          environment,
          workloads,
          clients,
          output,
          ...(options.status !== undefined ? { status: options.status } : {}),
          ...(options.arrayJob !== undefined ? { arrayJob: options.arrayJob } : {}),
          json: options.json ?? false,
        });
        return 0;
      }
      default: {
        // submit
        const system = await loadSystem(root);
        const [name, ...extra] = args;
        if (!name || extra.length > 0) {
          throw new CliError(
            `hf batch submit --env needs one batchjob workload (${batchJobWorkloads(system).join(', ') || 'none declared'}); ` +
              'command arguments go after "--"',
            2,
          );
        }
        const result = await submitBatchJobOnAws({
          system: system.name,
          environment,
          workload: batchJobWorkload(system, name),
          clients,
          output,
          ...(options.arraySize !== undefined ? { arraySize: options.arraySize } : {}),
          ...(options.dependsOn !== undefined ? { dependsOn: options.dependsOn } : {}),
          ...(options.name !== undefined ? { jobName: options.name } : {}),
          ...(options.command !== undefined ? { command: options.command } : {}),
          noWait: options.noWait ?? false,
          signal: options.signal ?? sigint?.signal,
        });
        return result.exitCode;
      }
    }
  } catch (error) {
    if (error instanceof AwsCommandError) throw toCliError(error);
    throw error;
  } finally {
    sigint?.dispose();
  }
}

function batchJobWorkloads(system: System): string[] {
  return system.workloads.filter((w) => w.batch !== undefined).map((w) => w.name);
}

/** The name, when it is a batchjob workload of the system; a CliError listing the batchjobs otherwise. */
function batchJobWorkload(system: System, name: string): string {
  const batchjobs = batchJobWorkloads(system);
  if (!batchjobs.includes(name)) {
    throw new CliError(
      `"${name}" is not a batchjob workload of system "${system.name}" (batchjobs: ${batchjobs.join(', ') || 'none'})`,
      2,
    );
  }
  return name;
}
