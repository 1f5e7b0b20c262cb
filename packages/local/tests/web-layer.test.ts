import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineSystem, defineWorkload } from '@hello-fargate/workload';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LocalRunner } from '../src/local-runner.js';
import { fixtureProject, tempDir } from './helpers.js';

const identityFile = fileURLToPath(new URL('../../../local/identity.json', import.meta.url));

describe('LocalRunner web layer: identity provider and load balancers in front of webapi and webapp', () => {
  const dir = tempDir();
  let runner: LocalRunner;
  const lines: string[] = [];

  beforeAll(async () => {
    mkdirSync(join(dir.path, 'local'));
    cpSync(identityFile, join(dir.path, 'local', 'identity.json'));
    const common = { directory: fixtureProject, entry: 'apps/server.mjs', port: 8080 } as const;
    runner = await LocalRunner.start({
      system: defineSystem({
        name: 'test',
        resourceServers: [{ identifier: 'orders', scopes: ['read', 'write'] }],
        workloads: [
          defineWorkload({ ...common, name: 'api', kind: 'webapi', loadBalancer: { authentication: 'jwt' } }),
          defineWorkload({ ...common, name: 'webapp', kind: 'webapp', loadBalancer: { authentication: 'cognito' } }),
        ],
      }),
      root: dir.path,
      databaseUrl: inject('postgresUrl'),
      freeListenerPorts: true,
      earlyProbeSeconds: 0.05,
      output: (line) => lines.push(line),
    });
  }, 60_000);
  afterAll(async () => {
    await runner?.stop();
    dir.remove();
  });

  it('reports the listeners and the issuer in status', () => {
    const { endpoints } = runner.status();
    expect(endpoints.webapi).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(endpoints.webapp).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(endpoints.identityIssuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/local_hellofargate$/);
  });

  it('answers 401 at the webapi listener without a token, and forwards a valid one unchanged with the app told where to verify it', async () => {
    const { endpoints } = runner.status();
    const denied = await fetch(`${endpoints.webapi}/env`);
    expect(denied.status).toBe(401);
    const tokenResponse = await fetch(
      `${endpoints.identityIssuer?.replace(/\/local_hellofargate$/, '')}/oauth2/token`,
      {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from('partner-reader:partner-reader-secret').toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials&scope=orders%2Fread',
      },
    );
    const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
    const allowed = await fetch(`${endpoints.webapi}/env`, { headers: { authorization: `Bearer ${token}` } });
    expect(allowed.status).toBe(200);
    const body = (await allowed.json()) as { env: Record<string, string>; authorization: string };
    expect(body.authorization).toBe(`Bearer ${token}`);
    expect(body.env).toEqual({
      AUTH_ISSUER: endpoints.identityIssuer,
      AUTH_JWKS_URI: `${endpoints.identityIssuer}/.well-known/jwks.json`,
    });
  });

  it('sends an unauthenticated browser at the webapp listener to sign in at the identity provider', async () => {
    const { endpoints } = runner.status();
    const response = await fetch(`${endpoints.webapp}/orders`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location') as string);
    expect(location.pathname).toBe('/oauth2/authorize');
    expect(location.searchParams.get('client_id')).toBe('webapp-local');
    expect(location.searchParams.get('redirect_uri')).toBe(`${endpoints.webapp}/oauth2/idpresponse`);
  });
});
