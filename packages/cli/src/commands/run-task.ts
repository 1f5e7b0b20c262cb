// `hf run-task <workload> [-- args]`: one task, like ECS RunTask, in the running runner or a runner started for it.

import { describeExit, formatLine, LocalRunner, RunnerStartError } from '@hello-fargate/local';
import { CliError } from '../cli-error.js';
import { taskExitCode } from '../exit-code.js';
import { loadSystem, stateDirFor } from '../load-system.js';
import { findRunner, runRemoteTask } from '../runner-client.js';

export interface RunTaskCommandOptions {
  readonly root: string;
  readonly workload: string;
  /** Command override; @default the workload's declared command */
  readonly args: readonly string[] | undefined;
}

export async function runTaskLocally(options: RunTaskCommandOptions): Promise<number> {
  const system = await loadSystem(options.root);
  const workload = system.workload(options.workload);
  const print = (line: string) => process.stdout.write(`${line}\n`);
  const running = findRunner(stateDirFor(options.root));
  if (running) {
    const result = await runRemoteTask(running, workload.name, options.args, print);
    process.stderr.write(
      `hf: task ${result.taskId.slice(0, 8)} stopped: ${describeExit(result)} (log: ${result.logFile})\n`,
    );
    return taskExitCode(result);
  }
  // No runner: start the database alone, run the task, stop again.
  let runner: LocalRunner;
  try {
    runner = await LocalRunner.start({
      system,
      root: options.root,
      stateDir: stateDirFor(options.root),
      services: false,
      preDeploy: false,
      output: (line) => {
        if (!line.includes(' | ')) process.stderr.write(`hf: ${line}\n`);
      },
    });
  } catch (error) {
    if (error instanceof RunnerStartError) throw new CliError(error.message);
    throw error;
  }
  const stopOnSignal = () => void runner.stop();
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  try {
    const result = await runner.runTask(workload.name, {
      ...(options.args ? { args: options.args } : {}),
      onLine: (line) => print(formatLine(line)),
    });
    process.stderr.write(
      `hf: task ${result.taskId.slice(0, 8)} stopped: ${describeExit(result)} (log: ${result.logFile})\n`,
    );
    return taskExitCode(result);
  } finally {
    process.off('SIGINT', stopOnSignal);
    process.off('SIGTERM', stopOnSignal);
    await runner.stop();
  }
}
