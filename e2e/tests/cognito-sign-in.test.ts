// Filling Cognito's sign-in pages in headless chromium, against stub pages shaped like the hosted UI and managed login.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cognitoSignIn } from '../src/cognito-sign-in.js';
import { launchBrowser } from '../src/launch-browser.js';

const page = (body: string) => `<!doctype html><html><body>${body}</body></html>`;
const credentialForm = (id: string, hidden: boolean) => `
  <div ${hidden ? 'style="display:none"' : ''}>
    <form method="post" action="/login?form=${id}">
      <input name="username"><input name="password" type="password">
      <input name="signInSubmitButton" type="submit" value="Sign in">
    </form>
  </div>`;

/** Pages: `/classic` (the form twice, the first hidden), `/managed` (username, then password on a second page). */
function startStub(signIns: string[]): Promise<Server> {
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.once('end', () => {
      const url = new URL(request.url ?? '/', 'http://stub');
      const html = (text: string) => response.writeHead(200, { 'content-type': 'text/html' }).end(page(text));
      if (url.pathname === '/classic') return html(credentialForm('hidden', true) + credentialForm('visible', false));
      if (url.pathname === '/managed') {
        return html(`<form method="post" action="/managed/password"><input name="username">
          <button type="submit">Next</button></form>`);
      }
      if (url.pathname === '/managed/password') {
        const username = new URLSearchParams(body).get('username') ?? '';
        return html(`<form method="post" action="/login?form=managed">
          <input type="hidden" name="username" value="${username.replace(/"/g, '')}">
          <input name="password" type="password"><button type="submit">Sign in</button></form>`);
      }
      if (url.pathname === '/login') {
        const form = new URLSearchParams(body);
        signIns.push(`${url.searchParams.get('form')}: ${form.get('username')} / ${form.get('password')}`);
        return response.writeHead(302, { location: '/done' }).end();
      }
      return html('<h1>signed in</h1>');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('cognitoSignIn', () => {
  const signIns: string[] = [];
  let server: Server;
  let origin: string;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startStub(signIns), launchBrowser()]);
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  async function signInOn(path: string): Promise<Page> {
    const tab = await browser.newPage();
    await tab.goto(`${origin}${path}`);
    await Promise.all([tab.waitForURL(`${origin}/done`), cognitoSignIn('e2e-user', 'pa ss')(tab)]);
    return tab;
  }

  it('fills and submits the visible one of the classic hosted UI’s two sign-in forms', async () => {
    const tab = await signInOn('/classic');
    expect(signIns.pop()).toBe('visible: e2e-user / pa ss');
    await tab.close();
  });

  it('gives managed login the username first and the password on its second page', async () => {
    const tab = await signInOn('/managed');
    expect(signIns.pop()).toBe('managed: e2e-user / pa ss');
    await tab.close();
  });
});
