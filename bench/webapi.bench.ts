// Benchmark: the webapi's authenticated GET /orders/:id against Express + jsonwebtoken and a bare node:http ceiling,
// then the same request end to end through the local load balancer, webapi, Service Connect, backend and PGlite.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkload, freePort, LocalRunner, loadIdentityConfig, startIdentityProvider } from '@hello-fargate/local';
import { system } from '../system.js';
import { webapi } from '../usecases/webapi/workload.js';
import { type LoadResult, reportLoad, runLoad } from './load.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const ORDER_PATH = '/orders/8537a105-9814-4ec5-8cbe-799880e63ee4';

async function startProcess(
  args: string[],
  env: Record<string, string>,
): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited with ${child.exitCode}`);
    try {
      await fetch(`${url}/health`);
      return { url, child };
    } catch {
      if (Date.now() > deadline) throw new Error(`${args.join(' ')} did not start`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

function ratio(name: string, value: LoadResult, baseline: LoadResult): void {
  process.stdout.write(`${name}: ${(value.perSecond / baseline.perSecond).toFixed(2)}\n`);
}

export async function run(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'hf-bench-web-'));
  const children: ChildProcess[] = [];
  const config = loadIdentityConfig(join(root, 'local', 'identity.json'));
  const identity = await startIdentityProvider({
    users: config.users,
    clients: config.clients,
    resourceServers: system.resourceServers,
  });
  try {
    const token = await identity.issueClientCredentialsToken('partner-reader');
    const headers = { authorization: `Bearer ${token}` };
    const backend = await startProcess([fixture('fake-backend.mjs')], {});
    children.push(backend.child);
    const auth = { AUTH_ISSUER: identity.issuer, AUTH_JWKS_URI: identity.jwksUri, BACKEND_URL: backend.url };

    const bundle = await bundleWorkload(webapi, { outDir: join(scratch, 'webapi') });
    // Access logs off (LOG_LEVEL=warn) so both servers do the same work; the rate limit is lifted for one client.
    const ours = await startProcess([bundle.entryFile], {
      ...auth,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_SECOND: '100000',
    });
    const express = await startProcess([fixture('express-orders.mjs')], auth);
    const bare = await startProcess([fixture('bare-orders.mjs')], {});
    children.push(ours.child, express.child, bare.child);

    const load = { concurrency: 32, durationMs: 4000, headers };
    const bareResult = await runLoad({ ...load, url: `${bare.url}${ORDER_PATH}` });
    const expressResult = await runLoad({ ...load, url: `${express.url}${ORDER_PATH}` });
    const oursResult = await runLoad({ ...load, url: `${ours.url}${ORDER_PATH}` });
    reportLoad('webapi_get_order', oursResult);
    reportLoad('express_jsonwebtoken_get_order', expressResult);
    reportLoad('bare_node_http_ceiling', bareResult);
    ratio('webapi_vs_express_jsonwebtoken_rps', oursResult, expressResult);
    ratio('webapi_vs_bare_node_http_rps', oursResult, bareResult);

    await endToEnd(scratch);
  } finally {
    for (const child of children) child.kill('SIGKILL');
    await identity.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** GET /orders/:id through the local load balancer (jwt-validation) → webapi → Service Connect → backend → PGlite. */
async function endToEnd(scratch: string): Promise<void> {
  const unthrottled = { ...webapi, environment: { ...webapi.environment, RATE_LIMIT_PER_SECOND: '100000' } };
  const runner = await LocalRunner.start({
    system: { ...system, workloads: system.workloads.map((w) => (w.name === 'webapi' ? unthrottled : w)) },
    root,
    stateDir: join(scratch, 'state'),
    freeListenerPorts: true,
    output: () => undefined,
  });
  try {
    const endpoints = runner.status().endpoints;
    const tokenResponse = await fetch(`${new URL(endpoints.identityIssuer as string).origin}/oauth2/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('partner-writer:partner-writer-secret').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    const token = ((await tokenResponse.json()) as { access_token: string }).access_token;
    const headers = { authorization: `Bearer ${token}` };
    const created = await fetch(`${endpoints.webapi}/orders`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ customerEmail: 'bench@example.com', lines: [{ sku: 'KB-MECH-01', quantity: 2 }] }),
    });
    if (created.status !== 201) throw new Error(`creating the order failed: ${created.status} ${await created.text()}`);
    const result = await runLoad({
      url: `${endpoints.webapi}${created.headers.get('location')}`,
      headers,
      concurrency: 16,
      durationMs: 4000,
    });
    reportLoad('e2e_get_order_alb_webapi_backend_pglite', result);
  } finally {
    await runner.stop();
  }
}
