// `hf start`: the whole system locally, until Ctrl-C.

import { LocalRunner, RunnerStartError } from '@hello-fargate/local';
import { CliError } from '../cli-error.js';
import { loadSystem, stateDirFor } from '../load-system.js';

export interface StartOptions {
  readonly root: string;
  /** @default 7432 (falls back to a free port when busy) */
  readonly databasePort?: number;
  /** @default 7400 (falls back to a free port when busy) */
  readonly controlPort?: number;
}

export async function startCommand(options: StartOptions): Promise<number> {
  const started = Date.now();
  const system = await loadSystem(options.root);
  const say = (line: string) => process.stdout.write(`${line}\n`);
  say(
    `hf: starting ${system.name} locally (${system.workloads.length} workloads, state in ${stateDirFor(options.root)})`,
  );
  let runner: LocalRunner;
  try {
    runner = await LocalRunner.start({
      system,
      root: options.root,
      stateDir: stateDirFor(options.root),
      databasePort: options.databasePort ?? 7432,
      controlPort: options.controlPort ?? 7400,
      sqsPort: 7420,
      consolePort: 7401,
      output: say,
    });
  } catch (error) {
    if (error instanceof RunnerStartError) throw new CliError(error.message);
    throw error;
  }
  const status = runner.status();
  say('');
  say(`${system.name} is running (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  for (const [name, url] of Object.entries(status.endpoints)) {
    if (url) say(`  ${name.padEnd(14)} ${url}`);
  }
  for (const workload of status.workloads) {
    const detail = workload.service
      ? workload.service.healthChecked
        ? `${workload.service.healthyCount}/${workload.service.desiredCount} healthy`
        : `${workload.service.runningCount}/${workload.service.desiredCount} running`
      : workload.lastRun
        ? `last run exit ${workload.lastRun.exitCode}`
        : 'not run yet';
    say(`  ${workload.name.padEnd(14)} ${workload.kind.padEnd(13)} ${workload.state} (${detail})`);
  }
  say('`hf status --json` shows this again; Ctrl-C stops everything.');

  return new Promise<number>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        say(`hf: ${signal} again: exiting now`);
        process.exit(130);
      }
      stopping = true;
      say(`\nhf: ${signal}: stopping (each task gets its stopTimeout to exit)…`);
      const t0 = Date.now();
      runner.stop().then(
        () => {
          say(`hf: stopped in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
          resolve(0);
        },
        (error: Error) => {
          process.stderr.write(`hf: error while stopping: ${error.message}\n`);
          resolve(1);
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
