// The JWT bad-input table: forged and broken Authorization headers, and what the ALB and the app each answer.

import { createHmac, createPublicKey, type JsonWebKey, randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWTPayload } from 'jose';
import type { SigningJwk } from '../../../../packages/local/src/identity/index.js';
import { signWith } from './test-identity.js';

/** What a case needs: the issuer, its real private key (read from its key file) and real tokens from its endpoint. */
export interface AuthCaseKit {
  readonly issuer: string;
  readonly signingKey: SigningJwk;
  /** partner-reader's token from the token endpoint (scope orders/read). */
  readonly readerToken: string;
}

export interface AuthCase {
  readonly name: string;
  /** The Authorization header to send; undefined sends none. */
  readonly authorization: (kit: AuthCaseKit) => Promise<string | undefined>;
  /** `write`: POST /orders with a valid body (needs orders/write); `read`: GET /orders (needs orders/read). */
  readonly route: 'read' | 'write';
  /** Status at both the ALB and the app. */
  readonly status: 401 | 403 | 200;
  /** The app's error code; for cases the ALB stops, what the app answers when reached directly. */
  readonly code?: 'missing_token' | 'invalid_token' | 'insufficient_scope';
  /** `rejects`: ALB jwt-validation answers itself; `forwards`: the ALB lets it through and only the app stops it. */
  readonly alb: 'rejects' | 'forwards';
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

/** Claims of a valid partner-reader access token as the local IdP (Cognito) makes them. */
export function readerClaims(kit: AuthCaseKit, overrides: JWTPayload = {}): JWTPayload {
  const iat = now();
  return {
    iss: kit.issuer,
    sub: 'partner-reader',
    token_use: 'access',
    client_id: 'partner-reader',
    scope: 'orders/read',
    auth_time: iat,
    iat,
    exp: iat + 3600,
    jti: randomUUID(),
    version: 2,
    ...overrides,
  };
}

const signed = (kit: AuthCaseKit, overrides: JWTPayload) => signWith(kit.signingKey, readerClaims(kit, overrides));
const bearer = (token: string) => `Bearer ${token}`;

/** Replaces one character in the middle of a segment (the last one may only carry padding bits). */
function flipMiddle(segment: string): string {
  const at = Math.floor(segment.length / 2);
  return `${segment.slice(0, at)}${segment[at] === 'A' ? 'B' : 'A'}${segment.slice(at + 1)}`;
}

export const AUTH_CASES: readonly AuthCase[] = [
  {
    name: 'a valid token signed with the real key (control: the forging itself works)',
    authorization: async (kit) => bearer(await signed(kit, {})),
    route: 'read',
    status: 200,
    alb: 'forwards',
  },
  {
    name: 'lowercase "bearer" scheme (RFC 7235: case-insensitive; the ALB accepts it, so does the app)',
    authorization: async (kit) => `bearer ${kit.readerToken}`,
    route: 'read',
    status: 200,
    alb: 'forwards',
  },
  {
    name: 'no Authorization header',
    authorization: async () => undefined,
    route: 'read',
    status: 401,
    code: 'missing_token',
    alb: 'rejects',
  },
  {
    name: 'empty Bearer',
    authorization: async () => 'Bearer ',
    route: 'read',
    status: 401,
    code: 'missing_token',
    alb: 'rejects',
  },
  {
    name: 'non-Bearer scheme (Basic with the client secret)',
    authorization: async () => `Basic ${Buffer.from('partner-reader:partner-reader-secret').toString('base64')}`,
    route: 'read',
    status: 401,
    code: 'missing_token',
    alb: 'rejects',
  },
  {
    name: 'alg none (unsigned token with valid claims)',
    authorization: async (kit) => bearer(`${b64({ alg: 'none', kid: kit.signingKey.kid })}.${b64(readerClaims(kit))}.`),
    route: 'read',
    status: 401,
    code: 'invalid_token',
    alb: 'rejects',
  },
  {
    name: 'HS256 signed with the RSA public key (PEM) as the HMAC secret',
    authorization: async (kit) => {
      const { kty, n, e } = kit.signingKey;
      const pem = createPublicKey({ key: { kty, n, e } as JsonWebKey, format: 'jwk' })
        .export({ type: 'spki', format: 'pem' })
        .toString();
      const input = `${b64({ alg: 'HS256', typ: 'JWT', kid: kit.signingKey.kid })}.${b64(readerClaims(kit))}`;
      return bearer(`${input}.${createHmac('sha256', pem).update(input).digest('base64url')}`);
    },
    route: 'read',
    status: 401,
    code: 'invalid_token',
    alb: 'rejects',
  },
  {
    name: 'RS384 signed with the real key (the JWKS says RS256; ALB accepts RS256 only)',
    authorization: async (kit) => bearer(await signWith(kit.signingKey, readerClaims(kit), { alg: 'RS384' })),
    route: 'read',
    status: 401,
    code: 'invalid_token',
    alb: 'rejects',
  },
  {
    name: 'unknown kid',
    authorization: async (kit) => bearer(await signWith(kit.signingKey, readerClaims(kit), { kid: 'not-a-known-kid' })),
    route: 'read',
    status: 401,
    code: 'invalid_token',
    alb: 'rejects',
  },
  {
    name: 'signed by another key under the real kid',
    authorization: async (kit) => {
      const { privateKey } = await generateKeyPair('RS256', { extractable: true });
      const other = { ...(await exportJWK(privateKey)), kid: kit.signingKey.kid, alg: 'RS256', use: 'sig' };
      return bearer(await signWith(other as SigningJwk, readerClaims(kit)));
    },
    route: 'read',
    status: 401,
    code: 'invalid_token',
    alb: 'rejects',
  },
  {
    name: 'expired (exp 2 minutes ago, beyond any clock tolerance)',
    authorization: async (kit) => bearer(await signed(kit, { iat: now() - 3720, exp: now() - 120 })),
    route: 'read',
    status: 401,
    code: 'invalid_token',
    alb: 'rejects',
  },
  {
    name: 'nbf 10 minutes in the future',
    authorization: async (kit) => bearer(await signed(kit, { nbf: now() + 600 })),
    route: 'read',
    status: 401,
    code: 'invalid_token',
    alb: 'rejects',
  },
  {
    name: 'iat 10 minutes in the future',
    authorization: async (kit) => bearer(await signed(kit, { iat: now() + 600 })),
    route: 'read',
    status: 401,
    code: 'invalid_token',
    alb: 'rejects',
  },
  {
    name: 'no exp claim (a token that would never expire)',
    authorization: async (kit) => bearer(await signed(kit, { exp: undefined })),
    route: 'read',
    status: 401,
    code: 'invalid_token',
    alb: 'rejects',
  },
  {
    name: 'wrong iss (another user pool), real key',
    authorization: async (kit) =>
      bearer(await signed(kit, { iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_SomeOther' })),
    route: 'read',
    status: 401,
    code: 'invalid_token',
    alb: 'rejects',
  },
  {
    name: 'ID token used as an access token (token_use id, aud, email), real key',
    authorization: async (kit) =>
      bearer(
        await signed(kit, {
          token_use: 'id',
          aud: 'webapp-local',
          email: 'alice@example.com',
          'cognito:username': 'alice',
          client_id: undefined,
          scope: undefined,
        }),
      ),
    route: 'read',
    status: 401,
    code: 'invalid_token',
    alb: 'forwards',
  },
  {
    name: 'no token_use claim, real key',
    authorization: async (kit) => bearer(await signed(kit, { token_use: undefined })),
    route: 'read',
    status: 401,
    code: 'invalid_token',
    alb: 'forwards',
  },
  {
    name: 'no client_id claim, real key',
    authorization: async (kit) => bearer(await signed(kit, { client_id: undefined })),
    route: 'read',
    status: 401,
    code: 'invalid_token',
    alb: 'forwards',
  },
  {
    name: 'foreign client_id (not in AUTH_CLIENT_IDS) with the right scope, real key',
    authorization: async (kit) => bearer(await signed(kit, { client_id: 'partner-stranger', sub: 'partner-stranger' })),
    route: 'read',
    status: 401,
    code: 'invalid_token',
    alb: 'forwards',
  },
  {
    name: 'tampered payload (a reader token granted orders/write, signature kept)',
    authorization: async (kit) => {
      const [header, payload, signature] = kit.readerToken.split('.') as [string, string, string];
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as JWTPayload;
      return bearer(`${header}.${b64({ ...claims, scope: 'orders/read orders/write' })}.${signature}`);
    },
    route: 'write',
    status: 401,
    code: 'invalid_token',
    alb: 'rejects',
  },
  {
    name: 'tampered signature',
    authorization: async (kit) => {
      const [header, payload, signature] = kit.readerToken.split('.') as [string, string, string];
      return bearer(`${header}.${payload}.${flipMiddle(signature)}`);
    },
    route: 'read',
    status: 401,
    code: 'invalid_token',
    alb: 'rejects',
  },
  {
    name: 'garbage that is not base64url JSON',
    authorization: async () => bearer('bm90.a-jwt.at-all'),
    route: 'read',
    status: 401,
    code: 'invalid_token',
    alb: 'rejects',
  },
  {
    name: 'two segments (header.payload of a real token)',
    authorization: async (kit) => bearer(kit.readerToken.split('.').slice(0, 2).join('.')),
    route: 'read',
    status: 401,
    code: 'invalid_token',
    alb: 'rejects',
  },
  {
    name: 'oversized Authorization header (a validly signed 9 KB token; the app caps at 8 KB)',
    authorization: async (kit) => bearer(await signed(kit, { pad: 'x'.repeat(6500) })),
    route: 'read',
    status: 401,
    code: 'invalid_token',
    alb: 'forwards',
  },
  {
    name: 'missing scope (partner-reader’s real token on POST /orders)',
    authorization: async (kit) => bearer(kit.readerToken),
    route: 'write',
    status: 403,
    code: 'insufficient_scope',
    alb: 'forwards',
  },
];

/** The WWW-Authenticate both layers send for a case (RFC 6750 §3). */
export function expectedChallenge(authCase: AuthCase): string | undefined {
  if (authCase.status === 200) return undefined;
  if (authCase.code === 'missing_token') return 'Bearer';
  if (authCase.code === 'insufficient_scope') return 'Bearer error="insufficient_scope", scope="orders/write"';
  return 'Bearer error="invalid_token"';
}
