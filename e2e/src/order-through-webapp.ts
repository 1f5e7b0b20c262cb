// A person's order in a real browser: the webapp's login redirect, the sign-in form, "New order", "Place order".

import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { WebOrderResult } from './target.js';

export interface OrderThroughWebappOptions {
  readonly browser: Browser;
  /** The webapp's address, without a trailing slash. */
  readonly webappUrl: string;
  /** Fills the identity provider's sign-in page the webapp redirected to; the caller waits for the way back. */
  readonly signIn: (page: Page) => Promise<void>;
  readonly sku: string;
  readonly quantity: number;
  /** Folder for a screenshot of each page. @default - no screenshots */
  readonly screenshots?: string;
  /** Milliseconds each navigation may take. @default 30_000 */
  readonly navigationTimeoutMs?: number;
}

/** Signs in, places a one-line order and reads the order page and the "My orders" list back. */
export async function orderThroughWebapp(options: OrderThroughWebappOptions): Promise<WebOrderResult> {
  const { browser, webappUrl, signIn, sku, quantity, screenshots } = options;
  const context = await browser.newContext({ viewport: { width: 1100, height: 760 } });
  context.setDefaultTimeout(options.navigationTimeoutMs ?? 30_000);
  const page = await context.newPage();
  const shot = async (name: string) => {
    if (screenshots) await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
  };
  try {
    await page.goto(webappUrl);
    await shot('sign-in');
    await Promise.all([page.waitForURL(`${webappUrl}/orders`), signIn(page)]);
    const signedInTitle = await page.title();
    const account = (await page.textContent('.account'))?.trim() ?? '';

    await Promise.all([page.waitForURL(`${webappUrl}/orders/new`), page.click('text=New order')]);
    await page.selectOption('#sku-1', sku);
    await page.fill('#quantity-1', String(quantity));
    await shot('new-order');
    await Promise.all([page.waitForURL(/\/orders\/[0-9a-f-]{36}$/), page.click('button:has-text("Place order")')]);
    const orderId = new URL(page.url()).pathname.split('/').pop() as string;
    const total = (await page.textContent('[data-testid="order-total"]'))?.trim() ?? '';
    const status = (await page.textContent('.status'))?.trim() ?? '';
    await shot('order');

    await Promise.all([page.waitForURL(`${webappUrl}/orders`), page.click('nav >> text=My orders')]);
    const row = page.locator(`tr:has(a[href="/orders/${orderId}"])`);
    const listedTotal = (await row.count()) > 0 ? (await row.locator('td.num').textContent())?.trim() : undefined;
    await shot('orders');
    return { orderId, signedInTitle, account, total, status, listedTotal };
  } finally {
    await context.close();
  }
}
