// The authentication session, kept (as ALB does) in encrypted cookies `<name>-0`, `<name>-1`, … of at most 4000 chars.

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { deleteCookie, parseCookies, setCookie } from './cookies.js';

export interface Session {
  /** The IdP's userinfo claims. */
  readonly claims: Record<string, unknown>;
  readonly accessToken: string;
  /** Session end, epoch seconds. */
  readonly expiresAt: number;
}

const SHARD_SIZE = 4000;

export class SessionCookie {
  /** A key per load balancer run: sessions do not survive a restart (the user signs in again). */
  private readonly key = randomBytes(32);

  constructor(private readonly name: string) {}

  /** The session in the request, or undefined when absent, tampered with, from an earlier run, or expired. */
  read(req: IncomingMessage): Session | undefined {
    const cookies = parseCookies(req);
    let sealed = '';
    for (let index = 0; cookies.has(`${this.name}-${index}`); index++) sealed += cookies.get(`${this.name}-${index}`);
    if (!sealed) return undefined;
    try {
      const raw = Buffer.from(sealed, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      const plain = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
      const session = JSON.parse(plain) as Session;
      return session.expiresAt > Date.now() / 1000 ? session : undefined;
    } catch {
      return undefined;
    }
  }

  /** Set-Cookie values for `session`, also deleting shards a larger earlier session left behind. */
  write(req: IncomingMessage, session: Session): string[] {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const encrypted = Buffer.concat([cipher.update(JSON.stringify(session), 'utf8'), cipher.final()]);
    const sealed = Buffer.concat([iv, cipher.getAuthTag(), encrypted]).toString('base64url');
    const expires = new Date(session.expiresAt * 1000);
    const headers: string[] = [];
    let index = 0;
    for (let offset = 0; offset < sealed.length; offset += SHARD_SIZE, index++) {
      headers.push(setCookie(`${this.name}-${index}`, sealed.slice(offset, offset + SHARD_SIZE), expires));
    }
    const cookies = parseCookies(req);
    for (; cookies.has(`${this.name}-${index}`); index++) headers.push(deleteCookie(`${this.name}-${index}`));
    return headers;
  }
}
