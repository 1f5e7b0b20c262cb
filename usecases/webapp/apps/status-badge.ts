// An order status as a coloured badge; unknown statuses still render, escaped, with the neutral colour.

import { html, type SafeHtml } from './html.js';

const KNOWN = new Set(['pending', 'confirmed', 'invoiced', 'shipped', 'delivered', 'cancelled']);

export function statusBadge(status: string): SafeHtml {
  const modifier = KNOWN.has(status) ? ` status-${status}` : '';
  return html`<span class="status${modifier}">${status}</span>`;
}
