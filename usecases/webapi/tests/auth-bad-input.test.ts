// The JWT bad-input suite, in process: each case sent to the local ALB (jwt-validation) and straight to the app.
//
// How the tokens are made: claim-level cases (expired, nbf, iat, no exp, wrong iss, ID token, no token_use or
// client_id, foreign client, oversized) are signed with the identity provider's REAL private key. The IdP is the
// local Cognito stand-in started with a `keyFile`, where it persists its private JWK; the test reads that file. So
// those tokens differ from a genuine one only in the claim under test, and the ALB and the app verify them against
// the IdP's own JWKS, exactly as in the running system. Cases about the signature (alg none, HS256 with the public
// key as secret, RS384, unknown kid, another key under the real kid, tampering) use jose and node:crypto; tampered
// and missing-scope cases start from genuine tokens from the IdP's token endpoint. A control case (a valid token
// signed with the real key) must pass, which shows the forged rejections are about the claim, not the forging.
//
// "No handler ran" is asserted twice per case: a preHandler probe added by the test (it runs after the auth and rate
// limit hooks, after validation, right before the handler) saw nothing, and the fake backend, which every handler
// calls first, received nothing. The app restricts clients (AUTH_CLIENT_IDS = partner-reader, partner-writer) so the
// foreign client_id case applies.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServiceClient } from '@hello-fargate/runtime';
import { createAccessTokenVerifier } from '@hello-fargate/runtime/auth';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoadBalancer, startLoadBalancer } from '../../../packages/local/src/load-balancer/index.js';
import { captureLogger } from '../../../tools/testing/test-databases.js';
import { createWebApiApp } from '../apps/create-web-api-app.js';
import { AUTH_CASES, type AuthCase, type AuthCaseKit, expectedChallenge } from './support/auth-cases.js';
import { type FakeBackend, startFakeBackend } from './support/fake-backend.js';
import { startTestIdentity, type TestIdentity } from './support/test-identity.js';

describe('JWT bad input at the ALB and at the app', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hf-webapi-auth-'));
  let identity: TestIdentity;
  let backend: FakeBackend;
  let app: FastifyInstance;
  let alb: LoadBalancer;
  let appUrl: string;
  let kit: AuthCaseKit;
  const handlerRuns: string[] = [];

  beforeAll(async () => {
    identity = await startTestIdentity(dir);
    backend = await startFakeBackend();
    app = createWebApiApp({
      backend: createServiceClient('backend', { baseUrl: backend.url }),
      verifier: createAccessTokenVerifier({
        issuer: identity.idp.issuer,
        jwksUri: identity.idp.jwksUri,
        clientIds: ['partner-reader', 'partner-writer'],
      }),
      logger: captureLogger('warn').logger,
    });
    app.addHook('preHandler', async (request) => {
      // The load balancer's health checks reach /health's handler all along; only the API's routes count.
      if (request.routeOptions.url !== '/health') handlerRuns.push(request.id);
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    appUrl = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    alb = await startLoadBalancer({
      name: 'test-webapi',
      targets: () => [{ id: 'app', url: appUrl }],
      healthCheck: { path: '/health', intervalSeconds: 0.2, healthyThresholdCount: 2 },
      action: { type: 'jwt-validation', issuer: identity.idp.issuer, jwksEndpoint: identity.idp.jwksUri },
    });
    kit = {
      issuer: identity.idp.issuer,
      signingKey: identity.signingKey,
      readerToken: await identity.token('partner-reader'),
    };
  });
  afterAll(async () => {
    await alb?.close();
    await app?.close();
    await backend?.close();
    await identity?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('has at least 18 rejection cases', () => {
    expect(AUTH_CASES.filter((c) => c.status !== 200).length).toBeGreaterThanOrEqual(18);
  });

  async function send(origin: string, authCase: AuthCase, authorization: string | undefined) {
    const write = authCase.route === 'write';
    return fetch(`${origin}/orders`, {
      method: write ? 'POST' : 'GET',
      headers: {
        ...(authorization !== undefined ? { authorization } : {}),
        ...(write ? { 'content-type': 'application/json' } : {}),
      },
      ...(write
        ? { body: JSON.stringify({ customerEmail: 'auth@example.com', lines: [{ sku: 'TEA-1', quantity: 1 }] }) }
        : {}),
    });
  }

  describe.each([
    { target: 'the ALB', origin: () => alb.url, viaAlb: true },
    { target: 'the app directly', origin: () => appUrl, viaAlb: false },
  ])('at $target', ({ origin, viaAlb }) => {
    it.each(AUTH_CASES.map((c) => [c.name, c] as const))('%s', async (_name, authCase) => {
      const authorization = await authCase.authorization(kit);
      const runsBefore = handlerRuns.length;
      const backendBefore = backend.requests.length;

      const response = await send(origin(), authCase, authorization);
      const body = (await response.json()) as { error?: { code: string }; message?: string };

      expect(response.status).toBe(authCase.status);
      if (authCase.status === 200) {
        expect(handlerRuns.length).toBe(runsBefore + 1);
        expect(backend.requests.length).toBeGreaterThan(backendBefore);
        return;
      }
      expect(response.headers.get('www-authenticate')).toBe(expectedChallenge(authCase));
      if (viaAlb && authCase.alb === 'rejects') {
        // Answered by the load balancer itself: the app never saw the request.
        expect(response.headers.get('server')).toBe('awselb/2.0');
        expect(body.message).toEqual(expect.any(String));
      } else {
        expect(body.error?.code).toBe(authCase.code);
      }
      expect(handlerRuns.length, 'a handler ran').toBe(runsBefore);
      expect(backend.requests.length, 'the backend was called').toBe(backendBefore);
    });
  });
});
