// Reads and checks local/identity.json: the local identity provider's demo users and app clients.

import { readFileSync } from 'node:fs';

/** A user of the local user pool. */
export interface IdentityUser {
  /** Sign-in name; Cognito's `username` and `cognito:username`. */
  readonly username: string;
  /** Plain-text password (local demo users only). */
  readonly password: string;
  readonly email: string;
  /** @default true */
  readonly emailVerified?: boolean;
  /** Cognito groups, in `cognito:groups`. @default - none */
  readonly groups?: readonly string[];
  /** Stable subject (a UUID in Cognito). @default - a UUID derived from the pool id and username */
  readonly sub?: string;
}

/** An app client. `browser` clients sign users in (code + PKCE); `machine` clients use client credentials. */
export interface IdentityClient {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly type: 'browser' | 'machine';
  /** Scopes the client may request: `openid`, `email`, `profile`, or `<resource-server>/<scope>`. */
  readonly scopes: readonly string[];
  /** Allowed `redirect_uri` values (Cognito's callback URLs); browser clients only. @default - none */
  readonly callbackUrls?: readonly string[];
  /** Allowed `logout_uri` values (Cognito's sign-out URLs); browser clients only. @default - none */
  readonly logoutUrls?: readonly string[];
}

export interface IdentityConfig {
  readonly users: readonly IdentityUser[];
  readonly clients: readonly IdentityClient[];
}

/** A malformed identity file: names the file, the field and what is wrong. */
export class IdentityConfigError extends Error {
  override readonly name = 'IdentityConfigError';
  constructor(
    readonly file: string,
    readonly field: string,
    problem: string,
  ) {
    super(`${file}: ${field} ${problem}`);
  }
}

const OIDC_SCOPES = new Set(['openid', 'email', 'profile']);
const CUSTOM_SCOPE = /^[A-Za-z0-9._-]+\/[A-Za-z0-9._-]+$/;

/** Reads `file` and checks it; throws IdentityConfigError naming the field at fault. */
export function loadIdentityConfig(file: string): IdentityConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new IdentityConfigError(file, '(file)', `cannot be read: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new IdentityConfigError(file, '(file)', `is not valid JSON: ${(error as Error).message}`);
  }
  return parseIdentityConfig(value, file);
}

/** Checks an already-parsed identity document; `source` names it in errors. */
export function parseIdentityConfig(value: unknown, source = 'identity config'): IdentityConfig {
  const fail = (field: string, problem: string): never => {
    throw new IdentityConfigError(source, field, problem);
  };
  if (!isObject(value)) fail('(root)', 'must be an object with "users" and "clients"');
  const root = value as Record<string, unknown>;
  if (!Array.isArray(root.users)) fail('users', 'must be a list of users');
  if (!Array.isArray(root.clients)) fail('clients', 'must be a list of app clients');

  const usernames = new Set<string>();
  const users = (root.users as unknown[]).map((entry, i): IdentityUser => {
    const at = `users[${i}]`;
    if (!isObject(entry)) fail(at, 'must be an object');
    const user = entry as Record<string, unknown>;
    const username = text(user.username, `${at}.username`, fail);
    if (!/^[\w.@+-]{1,128}$/.test(username)) fail(`${at}.username`, 'must be 1–128 letters, digits or _ . @ + -');
    if (usernames.has(username)) fail(`${at}.username`, `"${username}" is declared twice`);
    usernames.add(username);
    const email = text(user.email, `${at}.email`, fail);
    if (!/^[^@\s]+@[^@\s]+$/.test(email)) fail(`${at}.email`, `"${email}" is not an email address`);
    if (user.emailVerified !== undefined && typeof user.emailVerified !== 'boolean') {
      fail(`${at}.emailVerified`, 'must be true or false');
    }
    const groups = user.groups === undefined ? undefined : textList(user.groups, `${at}.groups`, fail);
    const sub = user.sub === undefined ? undefined : text(user.sub, `${at}.sub`, fail);
    return {
      username,
      password: text(user.password, `${at}.password`, fail),
      email,
      ...(user.emailVerified !== undefined ? { emailVerified: user.emailVerified as boolean } : {}),
      ...(groups ? { groups } : {}),
      ...(sub ? { sub } : {}),
    };
  });

  const clientIds = new Set<string>();
  const clients = (root.clients as unknown[]).map((entry, i): IdentityClient => {
    const at = `clients[${i}]`;
    if (!isObject(entry)) fail(at, 'must be an object');
    const client = entry as Record<string, unknown>;
    const clientId = text(client.clientId, `${at}.clientId`, fail);
    if (!/^[\w-]{1,128}$/.test(clientId)) fail(`${at}.clientId`, 'must be 1–128 letters, digits, _ or -');
    if (clientIds.has(clientId)) fail(`${at}.clientId`, `"${clientId}" is declared twice`);
    clientIds.add(clientId);
    const clientSecret = text(client.clientSecret, `${at}.clientSecret`, fail);
    if (client.type !== 'browser' && client.type !== 'machine') fail(`${at}.type`, 'must be "browser" or "machine"');
    const type = client.type as 'browser' | 'machine';
    const scopes = textList(client.scopes, `${at}.scopes`, fail);
    scopes.forEach((scope, j) => {
      if (type === 'machine' && !CUSTOM_SCOPE.test(scope)) {
        fail(`${at}.scopes[${j}]`, `"${scope}" is not a custom scope "<resource-server>/<scope>" (machine clients)`);
      }
      if (type === 'browser' && !OIDC_SCOPES.has(scope) && !CUSTOM_SCOPE.test(scope)) {
        fail(`${at}.scopes[${j}]`, `"${scope}" must be openid, email, profile or "<resource-server>/<scope>"`);
      }
    });
    const callbackUrls = urlList(client.callbackUrls, `${at}.callbackUrls`, fail);
    const logoutUrls = urlList(client.logoutUrls, `${at}.logoutUrls`, fail);
    if (type === 'browser') {
      if (callbackUrls.length === 0) fail(`${at}.callbackUrls`, 'must list at least one URL for a browser client');
      if (!scopes.includes('openid')) fail(`${at}.scopes`, 'must include "openid" for a browser client');
    } else if (callbackUrls.length > 0 || logoutUrls.length > 0) {
      fail(`${at}.callbackUrls`, 'and logoutUrls are for browser clients; a machine client has none');
    }
    return {
      clientId,
      clientSecret,
      type,
      scopes,
      ...(type === 'browser' ? { callbackUrls, logoutUrls } : {}),
    };
  });
  return { users, clients };
}

type Fail = (field: string, problem: string) => never;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown, field: string, fail: Fail): string {
  if (typeof value !== 'string' || value.length === 0) return fail(field, 'must be a non-empty string');
  return value;
}

function textList(value: unknown, field: string, fail: Fail): string[] {
  if (!Array.isArray(value)) return fail(field, 'must be a list of strings');
  return value.map((item, i) => text(item, `${field}[${i}]`, fail));
}

function urlList(value: unknown, field: string, fail: Fail): string[] {
  if (value === undefined) return [];
  return textList(value, field, fail).map((url, i) => {
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
      fail(`${field}[${i}]`, `"${url}" is not an http(s) URL`);
    }
    return url;
  });
}
