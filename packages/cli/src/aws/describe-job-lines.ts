// The lines `hf batch describe` prints for one AWS Batch job: status, queue, array summary, dependencies, attempts.

import type { JobDetail } from '@aws-sdk/client-batch';

/** The same layout as the local `hf batch describe`. */
export function describeJobLines(job: JobDetail): string[] {
  const lines = [
    `${job.jobName ?? ''}  ${job.jobId ?? ''}`,
    `  status      ${job.status ?? 'unknown'}${job.statusReason ? ` — ${job.statusReason}` : ''}`,
    `  queue       ${job.jobQueue ?? ''}`,
    `  definition  ${job.jobDefinition ?? ''}`,
  ];
  const props = job.arrayProperties;
  if (props?.size) {
    const counts = Object.entries(props.statusSummary ?? {})
      .filter(([, n]) => n > 0)
      .map(([s, n]) => `${s} ${n}`);
    lines.push(`  array       ${props.size} children: ${counts.join(', ') || 'none started'}`);
  }
  if (props?.index !== undefined) lines.push(`  array index ${props.index}`);
  for (const dep of job.dependsOn ?? []) lines.push(`  depends on  ${dep.jobId}${dep.type ? ` (${dep.type})` : ''}`);
  (job.attempts ?? []).forEach((attempt, i) => {
    const exit = attempt.container?.exitCode;
    const reason = attempt.statusReason ? ` — ${attempt.statusReason}` : '';
    const containerReason = attempt.container?.reason ? ` (${attempt.container.reason})` : '';
    lines.push(
      `  attempt ${i + 1}   ${exit === undefined ? 'no exit code' : `exit ${exit}`}${reason}${containerReason}`,
    );
  });
  if (job.container?.logStreamName) lines.push(`  log         ${job.container.logStreamName}`);
  return lines;
}
