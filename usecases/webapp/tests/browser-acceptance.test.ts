// End to end in a real browser: local ALB + local IdP + webapp + backend + migrated PostgreSQL, sign-in to sign-out.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalRunner } from '@hello-fargate/local';
import { defineSystem } from '@hello-fargate/workload';
import { parse } from 'csv-parse/sync';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, type TestDatabases } from '../../../tools/testing/test-databases.js';
import { orderEventsQueue } from '../../backgroundjobs/workload.js';
import { backend } from '../../backend/workload.js';
import { oneoff } from '../../oneoff/workload.js';
import { formatCents } from '../apps/format-cents.js';
import { webapp } from '../workload.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const screenshots = join(root, 'test-artifacts', 'webapp');
const CHROMIUM = '/usr/bin/chromium';

/** Prices in cents from the catalogue the `import` task loads, read from the text (no floating point). */
function catalogueCents(): Map<string, number> {
  const rows = parse(readFileSync(join(root, 'usecases/oneoff/data/products.csv')), { columns: true }) as {
    sku: string;
    price: string;
  }[];
  return new Map(
    rows.map((row) => {
      const [units, fraction = ''] = row.price.split('.');
      return [row.sku, Number(units) * 100 + Number(fraction.padEnd(2, '0'))];
    }),
  );
}

describe('webapp in a browser, through the local load balancer and identity provider', () => {
  let databases: TestDatabases;
  let runner: LocalRunner;
  let browser: Browser;
  let page: Page;
  let webappUrl: string;
  const stateDir = mkdtempSync(join(tmpdir(), 'hf-webapp-e2e-'));
  const output: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} is missing: the browser test needs Debian's chromium; run apt-get install -y chromium`,
      );
    }
    mkdirSync(screenshots, { recursive: true });
    databases = await (backends.find((b) => b.name === 'PostgreSQL') as (typeof backends)[number]).start();
    const [databaseUrl, launched] = await Promise.all([
      databases.fresh(),
      chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--no-first-run',
          '--disable-sync',
          '--disable-quic',
        ],
      }),
    ]);
    browser = launched;
    runner = await LocalRunner.start({
      system: defineSystem({
        name: 'webapp-e2e',
        workloads: [oneoff, backend, webapp],
        queues: [orderEventsQueue],
        // local/identity.json's machine clients use these scopes; the identity provider checks they exist.
        resourceServers: [{ identifier: 'orders', scopes: ['read', 'write'] }],
      }),
      root,
      stateDir,
      databaseUrl,
      freeListenerPorts: true,
      earlyProbeSeconds: 0.1,
      output: (line) => output.push(line),
    });
    const imported = await runner.runTask('oneoff', { args: ['import'] });
    expect(imported.exitCode, output.slice(-20).join('\n')).toBe(0);
    webappUrl = runner.status().endpoints.webapp as string;
    page = await (await browser.newContext({ viewport: { width: 1100, height: 760 } })).newPage();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await runner?.stop();
    await databases?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('signs alice in, places a two-line order, shows it with the right total in her list, and signs her out', async () => {
    const prices = catalogueCents();
    const expectedTotal = formatCents(
      2 * (prices.get('KB-MECH-01') as number) + 3 * (prices.get('MS-TRAV-01') as number),
    );

    // Not signed in: the load balancer sends the browser to the identity provider's login page.
    await page.goto(webappUrl);
    await page.waitForSelector('input[name="username"]');
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.screenshot({ path: join(screenshots, 'login.png') });

    await page.fill('input[name="username"]', 'alice');
    await page.fill('input[name="password"]', 'alice-password');
    await Promise.all([page.waitForURL(`${webappUrl}/orders`), page.click('button[type="submit"]')]);
    await expect(page.title()).resolves.toBe('My orders · Hello Fargate Orders');
    expect(await page.textContent('.account')).toContain('alice@example.com');

    await page.click('text=New order');
    await page.waitForURL(`${webappUrl}/orders/new`);
    await page.selectOption('#sku-1', 'KB-MECH-01');
    await page.fill('#quantity-1', '2');
    await page.selectOption('#sku-2', 'MS-TRAV-01');
    await page.fill('#quantity-2', '3');
    await page.screenshot({ path: join(screenshots, 'new-order.png'), fullPage: true });
    await Promise.all([page.waitForURL(/\/orders\/[0-9a-f-]{36}$/), page.click('button:has-text("Place order")')]);
    const orderId = page.url().split('/').pop() as string;
    expect((await page.textContent('[data-testid="order-total"]'))?.trim()).toBe(expectedTotal);
    expect(await page.textContent('main')).toContain('Mechanical keyboard (brown switches)');
    expect(await page.textContent('.status')).toBe('pending');
    await page.screenshot({ path: join(screenshots, 'order.png'), fullPage: true });

    await page.click('nav >> text=My orders');
    await page.waitForURL(`${webappUrl}/orders`);
    const row = page.locator(`tr:has(a[href="/orders/${orderId}"])`);
    expect((await row.locator('td.num').textContent())?.trim()).toBe(expectedTotal);
    await page.screenshot({ path: join(screenshots, 'orders.png'), fullPage: true });

    // Sign out: session cookies expired, IdP session ended, back to the app, which needs a new sign-in.
    await Promise.all([page.waitForURL(/\/login\?/), page.click('button:has-text("Sign out")')]);
    await page.waitForSelector('input[name="username"]');
    await page.screenshot({ path: join(screenshots, 'after-sign-out.png') });
    const cookies = await page.context().cookies(webappUrl);
    expect(cookies.filter((cookie) => cookie.name.startsWith('AWSELBAuthSessionCookie'))).toEqual([]);

    await page.goto(`${webappUrl}/orders`);
    await page.waitForSelector('input[name="username"]');
    expect(new URL(page.url()).pathname).toBe('/login');
  }, 60_000);
});
