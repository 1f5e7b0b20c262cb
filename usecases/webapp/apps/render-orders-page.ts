// GET /orders: the signed-in customer's orders, newest first, with date, status and total.

import { formatCents } from './format-cents.js';
import { formatDateTime } from './format-date-time.js';
import { html } from './html.js';
import type { OrderPage } from './orders-api.js';
import { renderPage } from './render-page.js';
import { statusBadge } from './status-badge.js';

export interface OrdersPageOptions {
  readonly email: string;
  readonly page: OrderPage;
  /** True when showing an older page (`?before=`). */
  readonly older: boolean;
}

/** The first 8 characters of an order id: enough to tell orders apart on screen. */
export const shortId = (id: string) => id.slice(0, 8);

export function renderOrdersPage({ email, page, older }: OrdersPageOptions): string {
  const rows = page.orders.map(
    (order) =>
      html`<tr>
        <td><time datetime="${order.createdAt}">${formatDateTime(order.createdAt)}</time></td>
        <td><a href="/orders/${order.id}">Order ${shortId(order.id)}</a></td>
        <td>${statusBadge(order.status)}</td>
        <td class="num">${formatCents(order.totalCents)}</td>
      </tr>`,
  );
  const table =
    page.orders.length === 0
      ? html`<div class="card">
          <p>${older ? 'There are no older orders.' : 'You have not placed any orders yet.'}</p>
          <p><a class="button" href="/orders/new">Place your first order</a></p>
        </div>`
      : html`<table>
          <caption>
            Newest first
          </caption>
          <thead>
            <tr>
              <th scope="col">Placed</th>
              <th scope="col">Order</th>
              <th scope="col">Status</th>
              <th scope="col" class="num">Total</th>
            </tr>
          </thead>
          <tbody>
            ${rows}
          </tbody>
        </table>`;
  const pager = html`<p class="actions">
    ${older ? html`<a href="/orders">Newest orders</a>` : null}
    ${page.nextBefore ? html`<a href="/orders?before=${page.nextBefore}">Older orders</a>` : null}
  </p>`;
  return renderPage({
    title: 'My orders',
    email,
    current: 'orders',
    body: html`<div class="page-head">
        <h1>My orders</h1>
        <a class="button" href="/orders/new">New order</a>
      </div>
      ${table} ${pager}`,
  });
}
