// Minimal Cookie / Set-Cookie handling for the authentication cookies.

import type { IncomingMessage } from 'node:http';

export function parseCookies(req: IncomingMessage): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const index = part.indexOf('=');
    if (index <= 0) continue;
    const name = part.slice(0, index).trim();
    if (!cookies.has(name)) cookies.set(name, part.slice(index + 1).trim());
  }
  return cookies;
}

/**
 * A Set-Cookie value. No `Secure`: the local listener is plain HTTP (ALB's HTTPS listeners set it).
 * `expires` undefined → a session cookie; a date in the past deletes the cookie.
 */
export function setCookie(name: string, value: string, expires?: Date): string {
  return `${name}=${value}; Path=/; HttpOnly; SameSite=Lax${expires ? `; Expires=${expires.toUTCString()}` : ''}`;
}

export function deleteCookie(name: string): string {
  return setCookie(name, '', new Date(0));
}
