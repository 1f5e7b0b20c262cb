// The trigger switch locally: the same order-stats workload started by its schedule (injected clock), or running as
// a service behind the local load balancer that validates JWTs — chosen by its `trigger` alone.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalRunner, ManualClock } from '@hello-fargate/local';
import { defineSystem, defineWorkload } from '@hello-fargate/workload';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { withClient } from '../../../tools/testing/test-databases.js';
import { oneoff } from '../../oneoff/workload.js';
import { clientCredentialsToken } from '../../webapi/tests/support/test-identity.js';
import { orderStatsProps } from '../workload.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

describe('order-stats: one declaration, two triggers', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function start(trigger: Parameters<typeof defineWorkload>[0]['trigger'], clock?: ManualClock) {
    const stateDir = mkdtempSync(join(tmpdir(), 'hf-trigger-'));
    const database = `hf_trigger_${randomBytes(4).toString('hex')}`;
    const server = inject('postgresUrl');
    await withClient(server, (client) => client.query(`CREATE DATABASE ${database}`));
    const url = new URL(server);
    url.pathname = `/${database}`;
    const runner = await LocalRunner.start({
      system: defineSystem({
        name: 'stats',
        workloads: [oneoff, defineWorkload({ ...orderStatsProps, trigger })],
        resourceServers: [{ identifier: 'orders', scopes: ['read', 'write'] }],
      }),
      root,
      stateDir,
      databaseUrl: url.toString(),
      freeListenerPorts: true,
      earlyProbeSeconds: 0.05,
      ...(clock ? { clock } : {}),
      output: () => undefined,
    });
    cleanups.push(async () => {
      await runner.stop();
      await withClient(server, (client) => client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
      rmSync(stateDir, { recursive: true, force: true });
    });
    return { runner, databaseUrl: url.toString() };
  }

  it('schedule: the scheduler starts `run` at each fire time, and nothing listens', async () => {
    const clock = new ManualClock(new Date('2026-11-21T10:00:00Z'));
    const { runner, databaseUrl } = await start(
      { type: 'schedule', expression: 'rate(15 minutes)', command: ['run'] },
      clock,
    );
    expect(runner.status().listeners).toEqual({});
    expect(runner.status().scheduledTasks).toMatchObject([
      { workload: 'order-stats', expression: 'rate(15 minutes)', next: '2026-11-21T10:15:00.000Z' },
    ]);

    await clock.advanceTo(new Date('2026-11-21T10:30:00Z'));
    const deadline = Date.now() + 30_000;
    const runs = () => runner.status().tasks.filter((t) => t.startedBy === 'schedule:order-stats');
    while (runs().length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));

    expect(runs().map((t) => t.exitCode)).toEqual([0, 0]);
    const snapshots = await withClient(databaseUrl, async (client) => {
      const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM order_stats_snapshots');
      return rows[0]?.n;
    });
    expect(snapshots).toBe(2);
  });

  it('service: `serve` runs behind the local load balancer, which answers 401 without a token', async () => {
    const { runner } = await start({ type: 'service', port: 8080, command: ['serve'] });
    expect(runner.status().scheduledTasks).toEqual([]);
    const listener = runner.status().listeners['order-stats'] as string;
    expect(listener).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const service = runner.status().workloads.find((w) => w.name === 'order-stats');
    expect(service?.service?.desiredCount).toBe(1);

    const anonymous = await fetch(`${listener}/stats`);
    expect(anonymous.status).toBe(401);
    const origin = new URL(runner.status().endpoints.identityIssuer as string).origin;
    const token = await clientCredentialsToken(origin, 'partner-reader');
    const stats = await fetch(`${listener}/stats`, { headers: { authorization: `Bearer ${token}` } });
    expect(stats.status).toBe(200);
    expect(await stats.json()).toMatchObject({ source: 'computed', snapshot: { ordersByStatus: { pending: 0 } } });
  });
});
