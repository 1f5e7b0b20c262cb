// The identity provider's RS256 signing key: made in memory, or read from / persisted to a JWK file.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';

/** A private RSA JWK with `kid`, `alg: RS256` and `use: sig`. */
export type SigningJwk = JWK & { kid: string; alg: 'RS256'; use: 'sig' };

/** Reads the key in `keyFile`, or makes one (and writes it there, mode 0600, when `keyFile` is given). */
export async function loadSigningKey(keyFile?: string): Promise<SigningJwk> {
  if (keyFile && existsSync(keyFile)) return readKey(keyFile);
  const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const jwk = await exportJWK(privateKey);
  const key: SigningJwk = { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'RS256', use: 'sig' };
  if (keyFile) {
    mkdirSync(dirname(keyFile), { recursive: true });
    writeFileSync(keyFile, `${JSON.stringify(key, null, 2)}\n`, { mode: 0o600 });
  }
  return key;
}

/** The public half of a signing key, as published in the JWKS. */
export function publicJwk(key: SigningJwk): JWK {
  const { kty, n, e, kid, alg, use } = key;
  return { kty, n, e, kid, alg, use };
}

function readKey(keyFile: string): SigningJwk {
  let key: Partial<SigningJwk>;
  try {
    key = JSON.parse(readFileSync(keyFile, 'utf8')) as Partial<SigningJwk>;
  } catch (error) {
    throw new Error(
      `${keyFile}: the identity provider's signing key cannot be read (${(error as Error).message}); delete the file to make a new key`,
      { cause: error },
    );
  }
  for (const field of ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi', 'kid'] as const) {
    if (key.kty !== 'RSA' || typeof key[field] !== 'string') {
      throw new Error(
        `${keyFile}: ${key.kty !== 'RSA' ? 'kty must be "RSA"' : `field "${field}" is missing`} in the signing key; delete the file to make a new key`,
      );
    }
  }
  return { ...key, alg: 'RS256', use: 'sig' } as SigningJwk;
}
