// Which Dockerfile builds a workload's image: its own `Dockerfile.<name>` when its folder holds several workloads.

import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Workload } from '@hello-fargate/workload';

/**
 * The image's Dockerfile relative to the build context: `Dockerfile.<workload name>` in the workload's directory when
 * there is one (usecases/scheduledjobs/ holds sales-report and order-stats), else undefined — the constructs' default
 * `<directory>/Dockerfile`.
 */
export function workloadDockerfile(workload: Workload, buildContext: string): string | undefined {
  const own = join(workload.directory, `Dockerfile.${workload.name}`);
  return existsSync(own) ? relative(buildContext, own) : undefined;
}
