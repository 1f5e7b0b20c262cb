// The page layout: document head, the header with the signed-in user's email and Sign out, and the main content.

import { html, type SafeHtml } from './html.js';
import { STYLESHEET_PATH } from './stylesheet.js';

export const APP_NAME = 'Hello Fargate Orders';

export interface PageOptions {
  /** The page's own title; the document title is `<title> · Hello Fargate Orders`. */
  readonly title: string;
  readonly body: SafeHtml;
  /** The signed-in user, shown in the header with a Sign out button. @default - no account area (e.g. the 401 page) */
  readonly email?: string;
  /** Which navigation link is the current page. @default - none */
  readonly current?: 'orders' | 'new-order';
}

/** A whole HTML document. No scripts: every page works with forms and links only. */
export function renderPage(options: PageOptions): string {
  const navLink = (href: string, label: string, key: PageOptions['current']) =>
    html`<a href="${href}" ${options.current === key ? html` aria-current="page"` : null}>${label}</a>`;
  const account =
    options.email === undefined
      ? null
      : html`<nav aria-label="Orders">
            ${navLink('/orders', 'My orders', 'orders')}${navLink('/orders/new', 'New order', 'new-order')}
          </nav>
          <div class="account">
            <span>Signed in as <strong>${options.email}</strong></span>
            <form method="post" action="/signout"><button class="secondary" type="submit">Sign out</button></form>
          </div>`;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${options.title} · ${APP_NAME}</title>
        <link rel="stylesheet" href="${STYLESHEET_PATH}" />
      </head>
      <body>
        <a class="skip-link" href="#content">Skip to content</a>
        <header class="site-header">
          <div class="bar">
            <a class="brand" href="/orders">${APP_NAME}</a>
            ${account}
          </div>
        </header>
        <main id="content">${options.body}</main>
      </body>
    </html> `.value;
}
