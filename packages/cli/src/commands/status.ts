// `hf status [--json]`: the running local system's endpoints and each workload's state.

import { CliError } from '../cli-error.js';
import { stateDirFor } from '../load-system.js';
import { fetchStatus, findRunner } from '../runner-client.js';

export async function statusCommand(options: { root: string; json: boolean }): Promise<number> {
  const runner = findRunner(stateDirFor(options.root));
  if (!runner) {
    if (options.json) process.stdout.write(`${JSON.stringify({ running: false }, null, 2)}\n`);
    throw new CliError('no local runner is running here; start one with `npm start`', 3);
  }
  const status = await fetchStatus(runner);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(`${status.system}: running since ${status.startedAt} (pid ${status.pid})\n`);
  for (const [name, url] of Object.entries(status.endpoints)) {
    if (url) process.stdout.write(`  ${name.padEnd(10)} ${url}\n`);
  }
  for (const w of status.workloads) {
    const counts = w.service
      ? ` ${w.service.healthChecked ? `${w.service.healthyCount}/${w.service.desiredCount} healthy` : `${w.service.runningCount}/${w.service.desiredCount} running`}, ${w.service.restarts} restarts`
      : '';
    process.stdout.write(
      `  ${w.name.padEnd(10)} ${w.kind.padEnd(13)} ${w.state}${counts}${w.message ? ` — ${w.message}` : ''}\n`,
    );
  }
  for (const w of status.workflows ?? []) {
    const schedule = w.schedule
      ? `${w.schedule.expression} ${w.schedule.timezone}${w.schedule.enabled ? `, next ${w.schedule.next ?? 'never'}` : ', disabled'}`
      : 'on demand';
    const last = w.lastExecution ? `; last ${w.lastExecution.status} ${w.lastExecution.startDate}` : '';
    process.stdout.write(`  workflow ${w.name}: ${schedule}${last}\n`);
  }
  for (const t of status.scheduledTasks ?? []) {
    const failed = t.failedInvocations > 0 ? `; ${t.failedInvocations} failed invocation(s)` : '';
    process.stdout.write(
      `  schedule ${t.workload}: ${t.expression} ${t.timezone}, next ${t.next ?? 'never'}${failed}\n`,
    );
  }
  return 0;
}
