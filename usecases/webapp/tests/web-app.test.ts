import { createLogger, type ServiceClient, createServiceClient } from '@hello-fargate/runtime';
import { createAlbIdentityVerifier } from '@hello-fargate/runtime/auth';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createWebApp } from '../apps/create-web-app.js';
import { createFakeBackend, type FakeBackend } from './support/fake-backend.js';
import { forgerKey, startTestAlb, TEST_ALB_ARN, type TestAlb } from './support/test-alb.js';

const LOGOUT_URL =
  'https://orders-auth.example.com/logout?client_id=webapp-test-client&logout_uri=https%3A%2F%2Forders.example.com%2F';
const ORIGIN = 'http://localhost:80';

let alb: TestAlb;
let backend: FakeBackend;
let app: FastifyInstance;

beforeAll(async () => {
  alb = await startTestAlb();
});
afterAll(() => alb.close());

function startApp(client: ServiceClient = backend.client): FastifyInstance {
  return createWebApp({
    verifier: createAlbIdentityVerifier(alb.verifierOptions),
    backend: client,
    logoutUrl: LOGOUT_URL,
    logger: createLogger({ level: 'silent' }),
  });
}

beforeEach(() => {
  backend = createFakeBackend();
  app = startApp();
});
afterEach(() => app.close());

/** Markup with whitespace collapsed and none around tags, so assertions do not depend on source formatting. */
const squash = (body: string) => body.replace(/\s+/g, ' ').replace(/\s*([<>])\s*/g, '$1');

/** A request as the load balancer forwards it for a signed-in user (claims overridable), same-origin for POSTs. */
async function asUser(options: InjectOptions & { claims?: Record<string, unknown> }) {
  const { claims, ...rest } = options;
  const unsafe = (rest.method ?? 'GET') !== 'GET';
  const response = await app.inject({
    ...rest,
    headers: {
      'x-amzn-oidc-data': alb.token(claims ? { claims } : {}),
      ...(unsafe ? { origin: ORIGIN, 'sec-fetch-site': 'same-origin' } : {}),
      ...rest.headers,
    },
  });
  return { statusCode: response.statusCode, headers: response.headers, body: squash(response.body) };
}

const postForm = (fields: Record<string, string>, extra: Record<string, string> = {}) =>
  asUser({
    method: 'POST',
    url: '/orders',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...extra },
    payload: new URLSearchParams(fields).toString(),
  });

const titleOf = (body: string) => /<title>([^<]*)<\/title>/.exec(body)?.[1];

describe('identity: only a verified x-amzn-oidc-data signs a user in', () => {
  const otherAlb = TEST_ALB_ARN.replace('0123456789abcdef', 'fedcba9876543210');
  it.each<[string, () => Record<string, string>]>([
    ['no header at all', () => ({})],
    ['only x-amzn-oidc-identity, which is not signed', () => ({ 'x-amzn-oidc-identity': 'alice-sub' })],
    [
      'a header signed with a key the load balancer never used',
      () => ({ 'x-amzn-oidc-data': alb.token({ key: forgerKey() }) }),
    ],
    [
      'a genuine header with its padding stripped after signing',
      () => ({ 'x-amzn-oidc-data': alb.token().replace(/=/g, '') }),
    ],
    [
      'a header signed by another load balancer',
      () => ({ 'x-amzn-oidc-data': alb.token({ header: { signer: otherAlb } }) }),
    ],
  ])('answers 401 with a sign-in page and calls no backend for %s', async (_case, headers) => {
    const sent = headers();
    const response = await app.inject({ url: '/orders', headers: sent });
    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(titleOf(response.body)).toBe('Sign-in required · Hello Fargate Orders');
    expect(response.body).toMatch(/signed in through its load balancer/);
    expect(response.body).not.toContain('Sign out');
    expect(backend.calls).toEqual([]);
  });

  it('answers 401 for a POST without identity before reading the form or calling the backend', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/orders',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN },
      payload: 'sku-1=KB-MECH-01&quantity-1=1',
    });
    expect(response.statusCode).toBe(401);
    expect(backend.calls).toEqual([]);
  });

  it('serves /health and the stylesheet without identity, but not an unknown page', async () => {
    expect((await app.inject({ url: '/health' })).statusCode).toBe(200);
    const css = await app.inject({ url: '/static/app.css' });
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.body).toContain('system-ui');
    expect((await app.inject({ url: '/static/app.css/../orders' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/nowhere' })).statusCode).toBe(401);
    const signedIn = await asUser({ url: '/nowhere' });
    expect(signedIn.statusCode).toBe(404);
    expect(titleOf(signedIn.body)).toBe('Page not found · Hello Fargate Orders');
  });

  it('refuses a signed-in user without an email with 403, as orders are kept by email', async () => {
    const response = await asUser({ url: '/orders', claims: { email: undefined } });
    expect(response.statusCode).toBe(403);
    expect(response.body).toMatch(/no email address/);
    expect(backend.calls).toEqual([]);
  });
});

describe('orders pages', () => {
  it('redirects / to /orders', async () => {
    const response = await asUser({ url: '/' });
    expect(response.statusCode).toBe(302);
    expect(response.headers.location).toBe('/orders');
  });

  it('lists only my orders, newest first, with date, status and the total formatted from cents', async () => {
    const older = backend.addOrder(
      'alice@example.com',
      [{ sku: 'MS-TRAV-01', quantity: 1 }],
      '2025-03-01T10:04:00.000Z',
    );
    const newer = backend.addOrder('alice@example.com', [{ sku: 'XSS-1', quantity: 10 }], '2025-03-02T08:00:00.000Z');
    const bobs = backend.addOrder('bob@example.com', [{ sku: 'KB-MECH-01', quantity: 1 }]);
    const response = await asUser({ url: '/orders' });
    expect(response.statusCode).toBe(200);
    expect(titleOf(response.body)).toBe('My orders · Hello Fargate Orders');
    expect(response.headers['cache-control']).toBe('no-store');
    const body = response.body;
    expect(body).toContain('Signed in as<strong>alice@example.com</strong>');
    expect(body.indexOf(newer.id)).toBeGreaterThan(-1);
    expect(body.indexOf(newer.id)).toBeLessThan(body.indexOf(older.id));
    expect(body).toContain('12,345.60');
    expect(body).toContain('19.95');
    expect(body).toContain('1 Mar 2025, 10:04 UTC');
    expect(body).toContain('<span class="status status-pending">pending</span>');
    expect(body).not.toContain(bobs.id);
  });

  it('maps the signed-in user to a backend customer by email once per process', async () => {
    await asUser({ url: '/orders' });
    await asUser({ url: '/orders', claims: { email: 'Alice@Example.com' } });
    expect(backend.calls.filter((call) => call === 'POST /customers')).toHaveLength(1);
    expect([...backend.customers.keys()]).toEqual(['alice@example.com']);
  });

  it('shows an empty list with a way to place a first order', async () => {
    const response = await asUser({ url: '/orders' });
    expect(response.body).toContain('You have not placed any orders yet.');
    expect(response.body).toContain('href="/orders/new"');
  });

  it('shows one of my orders with its status, lines and total', async () => {
    const order = backend.addOrder('alice@example.com', [
      { sku: 'KB-MECH-01', quantity: 2 },
      { sku: 'MS-TRAV-01', quantity: 3 },
    ]);
    const response = await asUser({ url: `/orders/${order.id}` });
    expect(response.statusCode).toBe(200);
    expect(titleOf(response.body)).toBe(`Order ${order.id.slice(0, 8)} · Hello Fargate Orders`);
    expect(response.body).toContain('Mechanical keyboard');
    expect(response.body).toContain('178.00');
    expect(response.body).toContain('59.85');
    expect(response.body).toMatch(/data-testid="order-total">237\.85</);
  });

  it("answers 404 for someone else's order exactly as for a missing one", async () => {
    const bobs = backend.addOrder('bob@example.com', [{ sku: 'KB-MECH-01', quantity: 1 }]);
    const theirs = await asUser({ url: `/orders/${bobs.id}` });
    const missing = await asUser({ url: '/orders/00000000-0000-4000-8000-000000000000' });
    expect(theirs.statusCode).toBe(404);
    expect(missing.statusCode).toBe(404);
    expect(theirs.body).not.toContain('Mechanical keyboard');
    const withoutRequestId = (body: string) => body.replace(/Request id:<span[^<]*<\/span>/, '');
    expect(theirs.body).toContain('Request id:');
    expect(withoutRequestId(theirs.body)).toBe(withoutRequestId(missing.body));
  });

  it('answers 404 for an order id that is not a UUID without asking the backend for it', async () => {
    const response = await asUser({ url: '/orders/..%2Fcustomers' });
    expect(response.statusCode).toBe(404);
    expect(backend.calls.some((call) => call.startsWith('GET /orders/'))).toBe(false);
  });

  it('answers a 502 page naming the request when the backend cannot be reached', async () => {
    await app.close();
    app = startApp(createServiceClient('backend', { baseUrl: 'http://127.0.0.1:9', timeoutMs: 1000 }));
    const response = await asUser({ url: '/orders', headers: { 'x-request-id': 'req-502' } });
    expect(response.statusCode).toBe(502);
    expect(response.body).toContain('Orders are unavailable');
    expect(response.body).toContain('req-502');
  });
});

describe('escaping', () => {
  it('escapes claims, catalogue data and form input on every page', async () => {
    const email = `o'neil+<b>bold</b>"@example.com`;
    const order = backend.addOrder(email.toLowerCase(), [{ sku: 'XSS-1', quantity: 1 }]);
    const pages = [
      await asUser({ url: '/orders', claims: { email } }),
      await asUser({ url: '/orders/new', claims: { email } }),
      await asUser({ url: `/orders/${order.id}`, claims: { email } }),
      await postForm({ 'sku-1': 'XSS-1', 'quantity-1': '"><script>alert(1)</script>' }),
    ];
    for (const page of pages) {
      expect(page.body).not.toMatch(/<b>bold|<script|<img/);
    }
    expect(pages[0]?.body).toContain('o&#39;neil+&lt;b&gt;bold&lt;/b&gt;&quot;@example.com');
    expect(pages[1]?.body).toContain('&lt;img src=x onerror=alert(1)&gt; &quot;Hacker&quot; mug');
    expect(pages[2]?.body).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(pages[3]?.statusCode).toBe(422);
    expect(pages[3]?.body).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
  });

  it('sends a content security policy that allows no script', async () => {
    const response = await asUser({ url: '/orders' });
    const policy = String(response.headers['content-security-policy']);
    expect(policy).toContain("default-src 'none'");
    expect(policy).not.toContain('script-src');
    expect(policy).toContain("form-action 'self' https://orders-auth.example.com");
    expect(response.headers['x-frame-options']).toBe('DENY');
  });
});

describe('new order form', () => {
  it('offers every product with its price in three labelled line rows', async () => {
    const response = await asUser({ url: '/orders/new' });
    expect(response.statusCode).toBe(200);
    expect(titleOf(response.body)).toBe('New order · Hello Fargate Orders');
    for (const row of [1, 2, 3]) {
      expect(response.body).toContain(`<label for="sku-${row}">Product, line ${row}</label>`);
      expect(response.body).toContain(`<label for="quantity-${row}">Quantity</label>`);
    }
    expect(response.body).toContain('<option value="KB-MECH-01">Mechanical keyboard — 89.00</option>');
    expect(response.body).not.toContain('<script');
  });

  it('places an order from the filled rows, ignores rows without a product, and redirects 303 to it', async () => {
    const response = await postForm({
      'sku-1': 'KB-MECH-01',
      'quantity-1': '2',
      'sku-2': '',
      'quantity-2': '1',
      'sku-3': 'MS-TRAV-01',
      'quantity-3': ' 3 ',
    });
    expect(response.statusCode).toBe(303);
    const order = backend.orders[0];
    expect(response.headers.location).toBe(`/orders/${order?.id}`);
    expect(order?.lines.map((line) => [line.sku, line.quantity])).toEqual([
      ['KB-MECH-01', 2],
      ['MS-TRAV-01', 3],
    ]);
    expect(order?.customerId).toBe(backend.customers.get('alice@example.com'));
  });

  it.each([
    ['a quantity of 0', { 'sku-1': 'KB-MECH-01', 'quantity-1': '0' }, 'Line 1: enter a whole number from 1 to 1000'],
    ['a quantity that is no number', { 'sku-1': 'KB-MECH-01', 'quantity-1': 'two' }, 'enter a whole number'],
    ['a quantity over 1000', { 'sku-1': 'KB-MECH-01', 'quantity-1': '1001' }, 'enter a whole number'],
    ['a fractional quantity', { 'sku-1': 'KB-MECH-01', 'quantity-1': '1.5' }, 'enter a whole number'],
    [
      'a product not in the catalogue',
      { 'sku-1': 'NOPE-1', 'quantity-1': '1' },
      'Line 1: choose a product from the list.',
    ],
    [
      'the same product on two lines',
      { 'sku-1': 'KB-MECH-01', 'quantity-1': '1', 'sku-2': 'KB-MECH-01', 'quantity-2': '2' },
      'Line 2: Mechanical keyboard is already on line 1',
    ],
  ])('shows the form again with 422 and a message for %s, keeping the input', async (_case, fields, message) => {
    const response = await postForm({ 'sku-3': 'MS-TRAV-01', 'quantity-3': '7', ...fields });
    expect(response.statusCode).toBe(422);
    expect(titleOf(response.body)).toBe('Error: New order · Hello Fargate Orders');
    expect(response.body).toContain('The order was not placed');
    expect(response.body).toContain(message);
    expect(response.body).toContain('aria-invalid="true"');
    expect(response.body).toMatch(/<option value="MS-TRAV-01" selected>/);
    expect(response.body).toContain('id="quantity-3" name="quantity-3" type="number"');
    expect(response.body).toMatch(/id="quantity-3"[^>]*value="7"/);
    expect(backend.calls).not.toContain('POST /orders');
  });

  it('shows the form again with 422 when no product is chosen on any line', async () => {
    const response = await postForm({ 'sku-1': '', 'quantity-1': '1', 'sku-2': '', 'quantity-2': '4' });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('Choose at least one product.');
    expect(response.body).toMatch(/id="quantity-2"[^>]*value="4"/);
    expect(backend.calls).not.toContain('POST /orders');
  });

  it('refuses a field sent twice instead of picking one of the values', async () => {
    const response = await asUser({
      method: 'POST',
      url: '/orders',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'sku-1=KB-MECH-01&sku-1=MS-TRAV-01&quantity-1=1',
    });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('send one product, not several');
  });

  it("shows the backend's refusal on the form with 422 when the catalogue changed meanwhile", async () => {
    backend.refuseNextOrder(422, 'inactive_sku', 'product KB-MECH-01 is no longer sold');
    const response = await postForm({ 'sku-1': 'KB-MECH-01', 'quantity-1': '1' });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('The order could not be placed: product KB-MECH-01 is no longer sold.');
    expect(response.body).toMatch(/<option value="KB-MECH-01" selected>/);
  });
});

describe('cross-site request forgery', () => {
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  it.each([
    ['Sec-Fetch-Site cross-site', { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }],
    ['Sec-Fetch-Site same-site (a sibling subdomain)', { 'sec-fetch-site': 'same-site', origin: 'http://a.localhost' }],
    ['an Origin of another site, no Sec-Fetch-Site', { 'sec-fetch-site': '', origin: 'https://evil.example' }],
    ['Origin null (a sandboxed frame or data: URL)', { 'sec-fetch-site': '', origin: 'null' }],
    ['the same host over another scheme', { 'sec-fetch-site': '', origin: 'https://localhost:80' }],
    ['neither Sec-Fetch-Site nor Origin', { 'sec-fetch-site': '', origin: '' }],
  ])('refuses a POST with %s: 403 and nothing ordered', async (_case, headers) => {
    const sent = Object.fromEntries(Object.entries(headers).filter(([, value]) => value !== ''));
    const response = await app.inject({
      method: 'POST',
      url: '/orders',
      headers: { ...form, 'x-amzn-oidc-data': alb.token(), ...sent },
      payload: 'sku-1=KB-MECH-01&quantity-1=1',
    });
    expect(response.statusCode).toBe(403);
    expect(response.body).toContain('Form refused');
    expect(backend.calls).toEqual([]);
  });

  it('refuses a cross-site sign-out too, so another site cannot sign the user out', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/signout',
      headers: { 'x-amzn-oidc-data': alb.token(), 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
    });
    expect(response.statusCode).toBe(403);
    expect(response.headers['set-cookie']).toBeUndefined();
  });

  it.each([
    ['Sec-Fetch-Site same-origin alone', { 'sec-fetch-site': 'same-origin' }],
    ['a matching Origin alone (a browser without Fetch Metadata)', { origin: ORIGIN }],
    ['the https origin the load balancer reports', { origin: 'https://localhost:80', 'x-forwarded-proto': 'https' }],
  ])('accepts a POST with %s', async (_case, headers) => {
    const response = await app.inject({
      method: 'POST',
      url: '/orders',
      headers: { ...form, 'x-amzn-oidc-data': alb.token(), ...headers },
      payload: 'sku-1=KB-MECH-01&quantity-1=1',
    });
    expect(response.statusCode).toBe(303);
  });
});

describe('sign out', () => {
  it('expires every load balancer session cookie shard and sends the browser to the IdP logout', async () => {
    const response = await asUser({ method: 'POST', url: '/signout' });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(LOGOUT_URL);
    const cookies = response.headers['set-cookie'] as string[];
    expect(cookies).toHaveLength(4);
    for (const [shard, cookie] of cookies.entries()) {
      expect(cookie).toMatch(new RegExp(`^AWSELBAuthSessionCookie-${shard}=; Max-Age=0;`));
      expect(cookie).toContain('Path=/');
      expect(cookie).not.toContain('Secure');
    }
  });

  it('marks the expired cookies Secure behind an HTTPS listener, as ALB set them', async () => {
    const response = await asUser({
      method: 'POST',
      url: '/signout',
      headers: { 'x-forwarded-proto': 'https', origin: 'https://localhost:80' },
    });
    expect(response.statusCode).toBe(303);
    for (const cookie of response.headers['set-cookie'] as string[]) expect(cookie).toContain('; Secure');
  });

  it('has a Sign out button in the header of every signed-in page', async () => {
    const response = await asUser({ url: '/orders/new' });
    expect(response.body).toContain(
      '<form method="post" action="/signout"><button class="secondary" type="submit">Sign out</button></form>',
    );
  });
});
