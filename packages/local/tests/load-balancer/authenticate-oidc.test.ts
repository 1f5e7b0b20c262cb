// authenticate-oidc: sign-in redirect, callback, session cookies, and the x-amzn-oidc-* headers the target receives.

import { createPublicKey, verify } from 'node:crypto';
import { AlbJwtVerifier } from 'aws-jwt-verify';
import { AlbJwksCache } from 'aws-jwt-verify/alb-cache';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type AuthenticateOidcAction, type LoadBalancer, startLoadBalancer } from '../../src/load-balancer/index.js';
import { startFakeIdp, type FakeIdp } from './fake-idp.js';
import { type Answer, CookieJar, FAST_HEALTH_CHECK, send, startTarget, type TestTarget } from './helpers.js';

let idp: FakeIdp;
let target: TestTarget;
beforeAll(async () => {
  idp = await startFakeIdp();
  target = await startTarget('webapp');
});
afterAll(async () => {
  await target.close();
  await idp.close();
});
afterEach(() => {
  target.received.length = 0;
  idp.userClaims = { email: 'ada@example.com', username: 'ada' };
});

const balancers: LoadBalancer[] = [];
afterEach(async () => {
  await Promise.all(balancers.splice(0).map((lb) => lb.close()));
});

async function balancer(action: Partial<AuthenticateOidcAction> = {}, region?: string): Promise<LoadBalancer> {
  const lb = await startLoadBalancer({
    name: 'webapp',
    targets: () => [target],
    healthCheck: FAST_HEALTH_CHECK,
    action: {
      type: 'authenticate-oidc',
      issuer: idp.issuer,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      ...action,
    },
    ...(region ? { region } : {}),
  });
  balancers.push(lb);
  return lb;
}

/** What a browser does: follow the sign-in redirects, keeping cookies. Returns the final answer from the target. */
async function signIn(lb: LoadBalancer, path = '/account?tab=1'): Promise<{ jar: CookieJar; answer: Answer }> {
  const jar = new CookieJar();
  const first = await send(`${lb.url}${path}`);
  expect(first.status).toBe(302);
  jar.store(first.headers);
  const atIdp = await send(first.headers.location ?? '');
  expect(atIdp.status).toBe(302);
  const callback = await send(atIdp.headers.location ?? '', { headers: { cookie: jar.header() } });
  expect(callback.status, callback.body).toBe(302);
  expect(callback.headers.location).toBe(path);
  jar.store(callback.headers);
  const answer = await send(`${lb.url}${path}`, { headers: { cookie: jar.header() } });
  return { jar, answer };
}

function segments(token: string): [string, string, string] {
  const parts = token.split('.');
  expect(parts).toHaveLength(3);
  return parts as [string, string, string];
}
const decode = (segment: string) => JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));

describe('authenticate-oidc', () => {
  it('redirects an unauthenticated request to the IdP authorize endpoint with state, nonce and PKCE', async () => {
    const lb = await balancer({ scope: 'openid email' });
    const answer = await send(`${lb.url}/account`);
    expect(answer.status).toBe(302);
    const location = new URL(answer.headers.location ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(`${new URL(idp.issuer).origin}/oauth2/authorize`);
    expect(Object.fromEntries(location.searchParams)).toMatchObject({
      client_id: idp.clientId,
      response_type: 'code',
      scope: 'openid email',
      redirect_uri: `${lb.url}/oauth2/idpresponse`,
      code_challenge_method: 'S256',
    });
    expect(location.searchParams.get('state')).toMatch(/^[\w-]{43}$/);
    expect(location.searchParams.get('nonce')).toMatch(/^[\w-]{43}$/);
    expect(answer.headers['set-cookie']?.[0]).toMatch(/^AWSALBAuthNonce=/);
    expect(target.received).toHaveLength(0);
  });

  it('signs in through the IdP and forwards the access token, identity and user claims', async () => {
    const lb = await balancer();
    const { jar, answer } = await signIn(lb);
    expect(answer.status).toBe(200);
    expect([...jar.cookies.keys()]).toEqual(['AWSELBAuthSessionCookie-0']);
    expect(target.received).toHaveLength(1);
    const headers = target.received[0]?.headers ?? {};
    expect(target.received[0]?.url).toBe('/account?tab=1');
    expect(headers['x-amzn-oidc-accesstoken']).toBe(idp.accessTokens.at(-1));
    expect(headers['x-amzn-oidc-identity']).toBe('user-ada');
    expect(headers['x-amzn-oidc-data']).toEqual(expect.any(String));
  });

  it('signs x-amzn-oidc-data like ALB: padded base64url segments, ALB header fields, ES256 key at <keysUrl>/<kid>', async () => {
    const lb = await balancer();
    idp.userClaims = { email: 'ada@example.com', username: 'ada', name: 'Ada' };
    const { answer } = await signIn(lb);
    expect(answer.status).toBe(200);
    const data = String(target.received[0]?.headers['x-amzn-oidc-data']);
    const [header, payload, signature] = segments(data);
    for (const segment of [header, payload, signature]) expect(segment.length % 4).toBe(0);
    expect(signature).toMatch(/==$/); // 64-byte P-256 signature: always two padding characters

    const now = Date.now() / 1000;
    const parsedHeader = decode(header);
    expect(parsedHeader).toEqual({
      typ: 'JWT',
      kid: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      alg: 'ES256',
      iss: idp.issuer,
      client: idp.clientId,
      signer: lb.arn,
      exp: expect.any(Number),
    });
    expect(parsedHeader.exp).toBeGreaterThan(now);
    expect(lb.arn).toMatch(/^arn:aws:elasticloadbalancing:local:000000000000:loadbalancer\/app\/webapp\/[0-9a-f]{16}$/);
    expect(decode(payload)).toEqual({
      sub: 'user-ada',
      email: 'ada@example.com',
      username: 'ada',
      name: 'Ada',
      exp: parsedHeader.exp,
      iss: idp.issuer,
    });

    const pemAnswer = await send(`${lb.keysUrl}/${parsedHeader.kid}`);
    expect(pemAnswer.status).toBe(200);
    expect(pemAnswer.body).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    const key = createPublicKey(pemAnswer.body);
    const signatureBytes = Buffer.from(signature.replace(/=+$/, ''), 'base64url');
    // As ALB's verifiers (aws-jwt-verify, PyJWT in AWS's sample) do: the signing input is the segments as sent.
    expect(
      verify('sha256', Buffer.from(`${header}.${payload}`), { key, dsaEncoding: 'ieee-p1363' }, signatureBytes),
    ).toBe(true);
    const stripped = `${header.replace(/=+$/, '')}.${payload.replace(/=+$/, '')}`;
    expect(verify('sha256', Buffer.from(stripped), { key, dsaEncoding: 'ieee-p1363' }, signatureBytes)).toBe(false);
    expect((await send(`${lb.keysUrl}/00000000-0000-0000-0000-000000000000`)).status).toBe(404);
  });

  it("verifies with aws-jwt-verify's AlbJwtVerifier given an AWS-shaped region and an http-capable fetcher", async () => {
    const lb = await balancer({}, 'us-east-1');
    await signIn(lb);
    const data = String(target.received[0]?.headers['x-amzn-oidc-data']);
    const props = { albArn: lb.arn, issuer: idp.issuer, clientId: idp.clientId, jwksUri: lb.keysUrl };

    // Its default fetcher speaks https only.
    await expect(AlbJwtVerifier.create(props).verify(data)).rejects.toThrow(/Protocol "http:" not supported/);

    const fetcher = { fetch: async (uri: string) => (await (await fetch(uri)).arrayBuffer()) as ArrayBuffer };
    const verifier = AlbJwtVerifier.create(props, { jwksCache: new AlbJwksCache({ fetcher }) });
    expect(await verifier.verify(data)).toMatchObject({ sub: 'user-ada', iss: idp.issuer });
  });

  it("is rejected by AlbJwtVerifier.create when the ARN has the default 'local' region", async () => {
    const lb = await balancer();
    expect(() =>
      AlbJwtVerifier.create({ albArn: lb.arn, issuer: idp.issuer, clientId: idp.clientId, jwksUri: lb.keysUrl }),
    ).toThrow(/Invalid load balancer ARN/);
  });

  it('answers 401 to a callback with a state it did not issue, without reaching the target', async () => {
    const lb = await balancer();
    const jar = new CookieJar();
    const first = await send(`${lb.url}/account`);
    jar.store(first.headers);
    const atIdp = await send(first.headers.location ?? '');
    const callback = new URL(atIdp.headers.location ?? '');
    callback.searchParams.set('state', `${callback.searchParams.get('state')}x`);
    const answer = await send(callback.toString(), { headers: { cookie: jar.header() } });
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body).message).toMatch(/state this load balancer did not issue/);
    expect(answer.headers['set-cookie']).toBeUndefined();
    expect(target.received).toHaveLength(0);
  });

  it('answers 401 to a callback from a browser without the AWSALBAuthNonce cookie', async () => {
    const lb = await balancer();
    const first = await send(`${lb.url}/account`);
    const atIdp = await send(first.headers.location ?? '');
    const answer = await send(atIdp.headers.location ?? '');
    expect(answer.status).toBe(401);
    expect(target.received).toHaveLength(0);
  });

  it("answers 401 to an unauthenticated request when onUnauthenticatedRequest is 'deny'", async () => {
    const lb = await balancer({ onUnauthenticatedRequest: 'deny' });
    const answer = await send(`${lb.url}/account`);
    expect(answer.status).toBe(401);
    expect(target.received).toHaveLength(0);
  });

  it("forwards an unauthenticated request without identity headers when onUnauthenticatedRequest is 'allow'", async () => {
    const lb = await balancer({ onUnauthenticatedRequest: 'allow' });
    const answer = await send(`${lb.url}/public`, { headers: { 'x-amzn-oidc-identity': 'forged' } });
    expect(answer.status).toBe(200);
    expect(Object.keys(target.received[0]?.headers ?? {}).filter((h) => h.startsWith('x-amzn-oidc'))).toEqual([]);
  });

  it('replaces forged x-amzn-oidc-* headers of a signed-in client with its own', async () => {
    const lb = await balancer();
    const { jar } = await signIn(lb);
    target.received.length = 0;
    await send(`${lb.url}/account?tab=1`, {
      headers: { cookie: jar.header(), 'X-Amzn-Oidc-Identity': 'admin', 'x-amzn-oidc-extra': 'forged' },
    });
    const headers = target.received[0]?.headers ?? {};
    expect(headers['x-amzn-oidc-identity']).toBe('user-ada');
    expect(headers['x-amzn-oidc-extra']).toBeUndefined();
  });

  it('splits a session over 4 KB into AWSELBAuthSessionCookie-0, -1, … and reads it back', async () => {
    const lb = await balancer();
    idp.userClaims = { email: 'ada@example.com', bio: 'b'.repeat(5000) };
    const { jar, answer } = await signIn(lb);
    expect(answer.status).toBe(200);
    expect([...jar.cookies.keys()].sort()).toEqual(['AWSELBAuthSessionCookie-0', 'AWSELBAuthSessionCookie-1']);
    expect(target.received.at(-1)?.headers['x-amzn-oidc-identity']).toBe('user-ada');
  });

  it('answers 500 when the claims and tokens exceed 11 KB, as ALB does', async () => {
    const lb = await balancer();
    idp.userClaims = { bio: 'b'.repeat(11 * 1024) };
    const jar = new CookieJar();
    const first = await send(`${lb.url}/account`);
    jar.store(first.headers);
    const atIdp = await send(first.headers.location ?? '');
    const answer = await send(atIdp.headers.location ?? '', { headers: { cookie: jar.header() } });
    expect(answer.status).toBe(500);
    expect(JSON.parse(answer.body).message).toMatch(/11 KB/);
    expect(target.received).toHaveLength(0);
  });

  it('sends the user to sign in again once sessionTimeoutSeconds has passed', async () => {
    const lb = await balancer({ sessionTimeoutSeconds: 1 });
    const { jar, answer } = await signIn(lb);
    expect(answer.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const later = await send(`${lb.url}/account?tab=1`, { headers: { cookie: jar.header() } });
    expect(later.status).toBe(302);
  });

  it('treats a tampered session cookie as no session', async () => {
    const lb = await balancer();
    const { jar } = await signIn(lb);
    const value = jar.cookies.get('AWSELBAuthSessionCookie-0') ?? '';
    const answer = await send(`${lb.url}/account`, {
      headers: { cookie: `AWSELBAuthSessionCookie-0=${value.slice(0, -4)}AAAA` },
    });
    expect(answer.status).toBe(302);
  });

  it('answers 561 when the IdP rejects the code exchange', async () => {
    const lb = await balancer({ clientSecret: 'wrong' });
    const jar = new CookieJar();
    const first = await send(`${lb.url}/account`);
    jar.store(first.headers);
    const atIdp = await send(first.headers.location ?? '');
    const answer = await send(atIdp.headers.location ?? '', { headers: { cookie: jar.header() } });
    expect(answer.status).toBe(561);
    expect(JSON.parse(answer.body).message).toMatch(/token endpoint .* answered 401/);
  });
});
