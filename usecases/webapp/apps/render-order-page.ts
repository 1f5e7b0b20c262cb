// GET /orders/:id: one order with its status, lines and total.

import { formatCents } from './format-cents.js';
import { formatDateTime } from './format-date-time.js';
import { html } from './html.js';
import type { Order } from './orders-api.js';
import { shortId } from './render-orders-page.js';
import { renderPage } from './render-page.js';
import { statusBadge } from './status-badge.js';

export function renderOrderPage({ email, order }: { email: string; order: Order }): string {
  const title = `Order ${shortId(order.id)}`;
  const lines = order.lines.map(
    (line) =>
      html`<tr>
        <td>${line.name}<br /><span class="sku">${line.sku}</span></td>
        <td class="num">${formatCents(line.unitPriceCents)}</td>
        <td class="num">${line.quantity}</td>
        <td class="num">${formatCents(line.lineTotalCents)}</td>
      </tr>`,
  );
  return renderPage({
    title,
    email,
    body: html`<p><a href="/orders">← My orders</a></p>
      <h1>${title}</h1>
      <p class="order-meta">
        ${statusBadge(order.status)} Placed
        <time datetime="${order.createdAt}">${formatDateTime(order.createdAt)}</time> · order id
        <span class="request-id">${order.id}</span>
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">Product</th>
            <th scope="col" class="num">Unit price</th>
            <th scope="col" class="num">Quantity</th>
            <th scope="col" class="num">Line total</th>
          </tr>
        </thead>
        <tbody>
          ${lines}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colspan="3">Total</th>
            <td class="num" data-testid="order-total">${formatCents(order.totalCents)}</td>
          </tr>
        </tfoot>
      </table>`,
  });
}
