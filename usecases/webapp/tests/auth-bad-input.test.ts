// The ALB-header path under bad input: each forged, broken or misdirected identity, at the local ALB and at the app.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startWebLayer, type WebLayer } from '@hello-fargate/local';
import { createLogger, type HttpServer, serveHttp } from '@hello-fargate/runtime';
import { createAlbIdentityVerifier } from '@hello-fargate/runtime/auth';
import { defineSystem } from '@hello-fargate/workload';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderEventsQueue } from '../../backgroundjobs/workload.js';
import { backend as backendWorkload } from '../../backend/workload.js';
import { createWebApp } from '../apps/create-web-app.js';
import { webapp } from '../workload.js';
import { send, signInThroughLoadBalancer } from './support/browser-like-client.js';
import { createFakeBackend, type FakeBackend } from './support/fake-backend.js';
import { DEFAULT_CLAIMS, forgerKey, padded, startTestAlb, TEST_ALB_ARN, type TestAlb } from './support/test-alb.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** The webapp served over HTTP, with a fake backend and a count of requests that reached a route handler. */
interface RunningApp {
  readonly url: string;
  readonly backend: FakeBackend;
  readonly handled: string[];
  readonly server: HttpServer;
  readonly app: FastifyInstance;
}

async function serveApp(env: { albArn: string; issuer: string; clientId: string; keysUrl: string }, logoutUrl: string) {
  const backend = createFakeBackend();
  const handled: string[] = [];
  const app = createWebApp({
    verifier: createAlbIdentityVerifier(env),
    backend: backend.client,
    logoutUrl,
    logger: createLogger({ level: 'silent' }),
  });
  // Runs just before a route handler, i.e. only for requests that got past the identity check.
  app.addHook('preHandler', async (request) => {
    if (request.url !== '/health') handled.push(`${request.method} ${request.url}`);
  });
  const server = await serveHttp(app, { port: 0, host: '127.0.0.1', signals: [] });
  return { url: `http://127.0.0.1:${server.port}`, backend, handled, server, app } satisfies RunningApp;
}

let alb: TestAlb;
let web: WebLayer;
let direct: RunningApp;
let behindAlb: RunningApp;
let listenerUrl: string;
const stateDir = mkdtempSync(join(tmpdir(), 'hf-webapp-auth-'));

beforeAll(async () => {
  alb = await startTestAlb();
  direct = await serveApp(alb.verifierOptions, 'https://auth.example.com/logout?client_id=x&logout_uri=y');
  // The app behind the listener starts after it, since it is configured with the listener's ARN and keys URL.
  const target: { url?: string } = {};
  const layer = await startWebLayer({
    system: defineSystem({
      name: 'webapp-auth',
      workloads: [backendWorkload, webapp],
      queues: [orderEventsQueue],
      resourceServers: [{ identifier: 'orders', scopes: ['read', 'write'] }],
    }),
    root,
    stateDir,
    freeListenerPorts: true,
    healthCheckIntervalSeconds: 1,
    targetsOf: () => (target.url ? [{ id: 'webapp-1', url: target.url }] : []),
  });
  web = layer as WebLayer;
  const env = web.environmentFor(webapp);
  behindAlb = await serveApp(
    {
      albArn: env.ALB_ARN as string,
      issuer: env.OIDC_ISSUER as string,
      clientId: env.OIDC_CLIENT_ID as string,
      keysUrl: env.ALB_KEYS_URL as string,
    },
    env.LOGOUT_URL as string,
  );
  target.url = behindAlb.url;
  listenerUrl = web.listeners.get('webapp')?.url as string;
}, 30_000);

afterAll(async () => {
  await web?.close();
  await Promise.all([direct?.server.stop(), behindAlb?.server.stop()]);
  await alb?.close();
  rmSync(stateDir, { recursive: true, force: true });
});

const now = () => Math.floor(Date.now() / 1000);
const otherArn = TEST_ALB_ARN.replace('0123456789abcdef', 'fedcba9876543210');

interface BadInput {
  readonly name: string;
  /** The request headers (made fresh per run, so tokens are not expired by the time they are sent). */
  readonly headers: () => Record<string, string | string[]>;
  /** What the app answers when the request reaches it directly. @default 401 */
  readonly directStatus?: number;
  /** What the local ALB answers. @default 302 to the IdP's authorize endpoint (the client's header is stripped) */
  readonly albStatus?: number;
}

const cases: readonly BadInput[] = [
  { name: 'no identity header at all', headers: () => ({}) },
  {
    name: 'only x-amzn-oidc-identity (unsigned, so worthless alone)',
    headers: () => ({ 'x-amzn-oidc-identity': DEFAULT_CLAIMS.sub, 'x-amzn-oidc-accesstoken': 'abc.def.ghi' }),
  },
  {
    name: 'a signature made with a key the ALB never used',
    headers: () => ({ 'x-amzn-oidc-data': alb.token({ key: forgerKey() }) }),
  },
  {
    // ALB always pads; the signature covers the padded segments, so stripping `=` breaks it (aws-jwt-verify decides).
    name: 'a genuine token with its `=` padding stripped',
    headers: () => {
      const token = alb.token();
      expect(token).toMatch(/=/);
      return { 'x-amzn-oidc-data': token.replace(/=/g, '') };
    },
  },
  {
    name: 'signer: another load balancer',
    headers: () => ({ 'x-amzn-oidc-data': alb.token({ header: { signer: otherArn } }) }),
  },
  {
    name: 'client: another app client',
    headers: () => ({ 'x-amzn-oidc-data': alb.token({ header: { client: 'other-app' } }) }),
  },
  {
    name: 'iss: another user pool',
    headers: () => {
      const iss = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other';
      return { 'x-amzn-oidc-data': alb.token({ header: { iss }, claims: { iss } }) };
    },
  },
  {
    name: 'expired a minute ago',
    headers: () => ({
      'x-amzn-oidc-data': alb.token({ header: { exp: now() - 60 }, claims: { exp: now() - 60 } }),
    }),
  },
  { name: 'alg none with an empty signature', headers: () => ({ 'x-amzn-oidc-data': alb.noneToken() }) },
  {
    name: 'HS256 keyed with the public PEM (algorithm confusion)',
    headers: () => ({ 'x-amzn-oidc-data': alb.hs256Token() }),
  },
  {
    name: 'a tampered payload (email and sub swapped for bob, signature kept)',
    headers: () => {
      const [header, , signature] = alb.token().split('.');
      const payload = padded(
        JSON.stringify({ ...DEFAULT_CLAIMS, sub: 'bob', email: 'bob@example.com', exp: now() + 60 }),
      );
      return { 'x-amzn-oidc-data': `${header}.${payload}.${signature}` };
    },
  },
  {
    name: 'an unknown kid (a UUID the keys endpoint does not serve)',
    headers: () => ({ 'x-amzn-oidc-data': alb.token({ header: { kid: '00000000-0000-4000-8000-000000000000' } }) }),
  },
  {
    name: 'a kid that is a path, not a UUID',
    headers: () => ({ 'x-amzn-oidc-data': alb.token({ header: { kid: '../../etc/passwd' } }) }),
  },
  { name: 'garbage that is not base64url', headers: () => ({ 'x-amzn-oidc-data': '%%%.@@@.!!!' }) },
  {
    name: 'a token with two segments',
    headers: () => ({ 'x-amzn-oidc-data': alb.token().split('.').slice(0, 2).join('.') }),
  },
  {
    name: 'a genuine header sent twice along with a forged one',
    headers: () => ({
      'x-amzn-oidc-data': [alb.token(), alb.token({ key: forgerKey(), claims: { email: 'bob@example.com' } })],
    }),
  },
  {
    // Node refuses request headers over 16 KB in total (431) before the app; the ALB refuses a header over 16 KB (400).
    name: 'an oversized header (20 KB)',
    headers: () => ({ 'x-amzn-oidc-data': alb.token({ claims: { padding: 'x'.repeat(20 * 1024) } }) }),
    directStatus: 431,
    albStatus: 400,
  },
];

describe('auth bad input on the ALB-header path', () => {
  it('has at least 12 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(12);
  });

  describe.each(cases)('$name', (input) => {
    it('is refused by the app reached directly, before any handler or backend call', async () => {
      const before = { handled: direct.handled.length, calls: direct.backend.calls.length };
      const answer = await send(`${direct.url}/orders`, { headers: input.headers() });
      expect(answer.status).toBe(input.directStatus ?? 401);
      if (answer.status === 401) expect(answer.body).toContain('Sign-in required');
      expect(answer.body).not.toContain('alice@example.com');
      expect(direct.handled.length).toBe(before.handled);
      expect(direct.backend.calls.length).toBe(before.calls);
    });

    it('is stripped or refused by the local ALB, so the app never sees it', async () => {
      const before = { handled: behindAlb.handled.length, calls: behindAlb.backend.calls.length };
      const answer = await send(`${listenerUrl}/orders`, { headers: input.headers() });
      if (input.albStatus) {
        expect(answer.status).toBe(input.albStatus);
      } else {
        expect(answer.status).toBe(302);
        expect(new URL(answer.location as string).pathname).toBe('/oauth2/authorize');
      }
      expect(behindAlb.handled.length).toBe(before.handled);
      expect(behindAlb.backend.calls.length).toBe(before.calls);
    });
  });
});

describe('the same path with good input (controls: the refusals above are not just a broken setup)', () => {
  it('lets a header signed exactly as ALB signs it through to the page', async () => {
    const answer = await send(`${direct.url}/orders`, { headers: { 'x-amzn-oidc-data': alb.token() } });
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('alice@example.com');
  });

  it('accepts a token signed over unpadded segments: aws-jwt-verify allows 0-2 `=`, and only the key holder can sign one', async () => {
    const answer = await send(`${direct.url}/orders`, { headers: { 'x-amzn-oidc-data': alb.token({ pad: false }) } });
    expect(answer.status).toBe(200);
  });

  it('serves alice her page through the local ALB after she signs in at the local IdP', async () => {
    const jar = await signInThroughLoadBalancer(listenerUrl, 'alice', 'alice-password');
    const answer = await send(`${listenerUrl}/orders`, { headers: { cookie: jar.header() } });
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('alice@example.com');
  });

  it("replaces a signed-in client's own x-amzn-oidc-* headers with the ALB's, so alice cannot pose as bob", async () => {
    const jar = await signInThroughLoadBalancer(listenerUrl, 'alice', 'alice-password');
    const forged = alb.token({ claims: { sub: 'bob', email: 'bob@example.com' } });
    const answer = await send(`${listenerUrl}/orders`, {
      headers: { cookie: jar.header(), 'x-amzn-oidc-data': forged, 'x-amzn-oidc-identity': 'bob' },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('alice@example.com');
    expect(answer.body).not.toContain('bob@example.com');
    expect(behindAlb.backend.customers.has('bob@example.com')).toBe(false);
  });
});
