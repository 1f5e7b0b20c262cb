// The ECS task metadata endpoint v4, served locally: ECS_CONTAINER_METADATA_URI_V4 points each task at its own path.

import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Workload } from '@hello-fargate/workload';
import type { TaskProcess } from './task-process.js';

export interface MetadataTask {
  readonly task: TaskProcess;
  readonly workload: Workload;
}

export interface MetadataServer {
  /** Base URL; a task's ECS_CONTAINER_METADATA_URI_V4 is `${url}/v4/<taskId>`. */
  readonly url: string;
  close(): Promise<void>;
}

const CLUSTER = 'local';
const REGION = 'local';
const ACCOUNT = '000000000000';

export function taskArn(task: TaskProcess): string {
  return `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${CLUSTER}/${task.id}`;
}

function ecsStatus(task: TaskProcess): string {
  return task.status === 'DEACTIVATING' ? 'RUNNING' : task.status === 'PROVISIONING' ? 'PENDING' : task.status;
}

/** The container JSON (`${ECS_CONTAINER_METADATA_URI_V4}`). */
export function containerMetadata({ task, workload }: MetadataTask): Record<string, unknown> {
  return {
    DockerId: task.id,
    Name: workload.name,
    DockerName: `ecs-${workload.name}-${task.id.slice(0, 8)}`,
    Image: `local/${workload.name}:bundle`,
    ImageID: `sha256:${task.id}${task.id}`,
    Labels: {
      'com.amazonaws.ecs.cluster': CLUSTER,
      'com.amazonaws.ecs.container-name': workload.name,
      'com.amazonaws.ecs.task-arn': taskArn(task),
      'com.amazonaws.ecs.task-definition-family': workload.name,
      'com.amazonaws.ecs.task-definition-version': '1',
    },
    DesiredStatus: task.status === 'STOPPED' || task.status === 'DEACTIVATING' ? 'STOPPED' : 'RUNNING',
    KnownStatus: ecsStatus(task),
    Limits: { CPU: workload.cpu, Memory: workload.memory },
    CreatedAt: task.createdAt.toISOString(),
    ...(task.startedAt ? { StartedAt: task.startedAt.toISOString() } : {}),
    Type: 'NORMAL',
    ...(task.health !== 'UNKNOWN' ? { Health: { status: task.health } } : {}),
    Networks: [{ NetworkMode: 'awsvpc', IPv4Addresses: ['127.0.0.1'] }],
  };
}

/** The task JSON (`${ECS_CONTAINER_METADATA_URI_V4}/task`). */
export function taskMetadata(entry: MetadataTask): Record<string, unknown> {
  const { task, workload } = entry;
  return {
    Cluster: CLUSTER,
    TaskARN: taskArn(task),
    Family: workload.name,
    Revision: '1',
    DesiredStatus: task.status === 'STOPPED' || task.status === 'DEACTIVATING' ? 'STOPPED' : 'RUNNING',
    KnownStatus: ecsStatus(task),
    Limits: { CPU: workload.cpu / 1024, Memory: workload.memory },
    PullStartedAt: task.createdAt.toISOString(),
    PullStoppedAt: task.createdAt.toISOString(),
    AvailabilityZone: `${REGION}a`,
    LaunchType: 'FARGATE',
    Containers: [containerMetadata(entry)],
  };
}

/** Docker-style stats for the task's process, read from /proc (Linux). */
export function containerStats({ task, workload }: MetadataTask): Record<string, unknown> {
  const read = new Date().toISOString();
  let rss = 0;
  let cpuNs = 0;
  if (task.pid !== undefined) {
    try {
      const status = readFileSync(`/proc/${task.pid}/status`, 'utf8');
      rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
      const stat = readFileSync(`/proc/${task.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      const ticks = Number(stat[11] ?? 0) + Number(stat[12] ?? 0); // utime + stime, in clock ticks (100 Hz)
      cpuNs = ticks * 10_000_000;
    } catch {
      // The process has gone; report zeros as Docker does for a stopped container.
    }
  }
  return {
    read,
    name: workload.name,
    id: task.id,
    pids_stats: {},
    memory_stats: { usage: rss, limit: workload.memory * 1024 * 1024 },
    cpu_stats: { cpu_usage: { total_usage: cpuNs }, online_cpus: 1 },
  };
}

/** Serves `/v4/<taskId>`, `/task`, `/stats` and `/task/stats` for the tasks `lookup` knows. */
export async function startMetadataServer(
  lookup: (taskId: string) => MetadataTask | undefined,
  host = '127.0.0.1',
): Promise<MetadataServer> {
  const server: Server = createServer((req, res) => {
    const match = /^\/v4\/([0-9a-f]{32})(\/task)?(\/stats)?\/?$/.exec(new URL(req.url ?? '/', 'http://x').pathname);
    const entry = match ? lookup(match[1] as string) : undefined;
    if (req.method !== 'GET' || !match || !entry) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'no such task metadata path' }));
      return;
    }
    const [, , isTask, isStats] = match;
    let body: unknown;
    if (isTask && isStats) body = { [entry.task.id]: containerStats(entry) };
    else if (isTask) body = taskMetadata(entry);
    else if (isStats) body = containerStats(entry);
    else body = containerMetadata(entry);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
