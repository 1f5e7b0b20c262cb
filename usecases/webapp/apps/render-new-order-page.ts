// GET /orders/new and a refused POST /orders: the order form, with the user's input and messages when refused.

import { formatCents } from './format-cents.js';
import { html, type SafeHtml } from './html.js';
import type { Product } from './orders-api.js';
import {
  type FormError,
  MAX_QUANTITY,
  ORDER_FORM_ROWS,
  type OrderFormRow,
  quantityField,
  skuField,
} from './parse-order-form.js';
import { renderPage } from './render-page.js';

export interface NewOrderPageOptions {
  readonly email: string;
  readonly products: readonly Product[];
  /** What the user sent, shown again. @default - empty rows, quantity 1 */
  readonly rows?: readonly OrderFormRow[];
  /** Problems to show in a summary and beside their fields. @default - none */
  readonly errors?: readonly FormError[];
}

export function renderNewOrderPage(options: NewOrderPageOptions): string {
  const errors = options.errors ?? [];
  const errorOf = (field: string) => errors.find((error) => error.field === field)?.message;
  const summary =
    errors.length === 0
      ? null
      : html`<div class="error-summary" role="alert" aria-labelledby="error-summary-title">
          <h2 id="error-summary-title">The order was not placed</h2>
          <ul>
            ${errors.map((error) => html`<li>${error.field ? html`<a href="#${error.field}">${error.message}</a>` : error.message}</li>`)}
          </ul>
        </div>`;

  let body: SafeHtml;
  if (options.products.length === 0) {
    body = html`<div class="card">
      <p>
        No products can be ordered yet. Load the catalogue with <code>npx hf run-task oneoff -- import</code>, then
        reload this page.
      </p>
    </div>`;
  } else {
    const rows = [];
    for (let row = 1; row <= ORDER_FORM_ROWS; row++) {
      const input = options.rows?.[row - 1] ?? { sku: '', quantity: '1' };
      rows.push(lineRow(row, input, options.products, errorOf(skuField(row)), errorOf(quantityField(row))));
    }
    body = html`<form class="order-form" method="post" action="/orders" novalidate>
      <fieldset>
        <legend>Products</legend>
        <p class="muted">
          Choose up to ${ORDER_FORM_ROWS} products; lines left at “No product” are ignored. Prices are confirmed when
          the order is placed.
        </p>
        ${rows}
      </fieldset>
      <p class="actions"><button type="submit">Place order</button><a href="/orders">Cancel</a></p>
    </form>`;
  }
  return renderPage({
    title: errors.length > 0 ? 'Error: New order' : 'New order',
    email: options.email,
    current: 'new-order',
    body: html`<h1>New order</h1>
      ${summary} ${body}`,
  });
}

function lineRow(
  row: number,
  input: OrderFormRow,
  products: readonly Product[],
  skuError: string | undefined,
  quantityError: string | undefined,
): SafeHtml {
  const sku = skuField(row);
  const quantity = quantityField(row);
  const options = products.map(
    (product) =>
      html`<option value="${product.sku}" ${product.sku === input.sku ? html` selected` : null}>
        ${product.name} — ${formatCents(product.priceCents)}
      </option>`,
  );
  return html`<div class="line-row">
    <div>
      <label for="${sku}">Product, line ${row}</label>
      <select id="${sku}" name="${sku}" ${skuError ? html` aria-invalid="true" aria-describedby="${sku}-error"` : null}>
        <option value="">No product</option>
        ${options}
      </select>
      ${skuError ? html`<p class="field-error" id="${sku}-error">${skuError}</p>` : null}
    </div>
    <div>
      <label for="${quantity}">Quantity</label>
      <input
        id="${quantity}"
        name="${quantity}"
        type="number"
        inputmode="numeric"
        min="1"
        max="${MAX_QUANTITY}"
        step="1"
        value="${input.quantity}"
        ${quantityError ? html` aria-invalid="true" aria-describedby="${quantity}-error"` : null}
      />
      ${quantityError ? html`<p class="field-error" id="${quantity}-error">${quantityError}</p>` : null}
    </div>
  </div>`;
}
