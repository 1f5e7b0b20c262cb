// Error pages people read: what went wrong, what to do, and the request id that finds it in the logs.

import { html } from './html.js';
import { renderPage } from './render-page.js';

export interface ErrorPageOptions {
  readonly title: string;
  /** One or two sentences: what happened and what to do. */
  readonly message: string;
  readonly requestId: string;
  /** The signed-in user's email when known, for the header. @default - none */
  readonly email?: string;
  /** Show a link back to the orders list. @default true when the user is known */
  readonly backLink?: boolean;
}

export function renderErrorPage(options: ErrorPageOptions): string {
  const back = options.backLink ?? options.email !== undefined;
  return renderPage({
    title: options.title,
    ...(options.email !== undefined ? { email: options.email } : {}),
    body: html`<h1>${options.title}</h1>
      <div class="card">
        <p>${options.message}</p>
        ${back ? html`<p><a href="/orders">Back to my orders</a></p>` : null}
        <p class="muted">Request id: <span class="request-id">${options.requestId}</span></p>
      </div>`,
  });
}
