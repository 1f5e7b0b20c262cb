// Verifies the identity the load balancer signs into x-amzn-oidc-data (ES256, ALB's padded JWT) before trusting it.

import { AlbJwtVerifier } from 'aws-jwt-verify';
import { AlbJwksCache } from 'aws-jwt-verify/alb-cache';
import { AuthError } from './auth-error.js';
import { createKeyFetcher } from './key-fetcher.js';

export interface AlbIdentity {
  readonly sub: string;
  readonly email?: string;
  readonly username?: string;
  readonly [claim: string]: unknown;
}

export interface AlbIdentityVerifierOptions {
  /** The load balancer's ARN, checked against the `signer` header field. @default process.env.ALB_ARN */
  readonly albArn?: string;
  /** The IdP issuer, checked against `iss`. @default process.env.OIDC_ISSUER */
  readonly issuer?: string;
  /** The app client id, checked against `client`. @default process.env.OIDC_CLIENT_ID */
  readonly clientId?: string;
  /** Where the public keys are, one PEM per kid. @default process.env.ALB_KEYS_URL */
  readonly keysUrl?: string;
}

export interface AlbIdentityVerifier {
  /** The claims of a valid `x-amzn-oidc-data` header; an AuthError otherwise. */
  verify(header: string | undefined): Promise<AlbIdentity>;
}

function required(name: string, value: string | undefined): string {
  if (!value) throw new Error(`${name} is not set: the webapp needs it to verify the load balancer's identity header`);
  return value;
}

/** aws-jwt-verify's AlbJwtVerifier: signature (ES256), `signer` = ALB ARN, `client` = app client id, `iss`, `exp`. */
export function createAlbIdentityVerifier(options: AlbIdentityVerifierOptions = {}): AlbIdentityVerifier {
  const verifier = AlbJwtVerifier.create(
    {
      albArn: required('ALB_ARN', options.albArn ?? process.env.ALB_ARN),
      issuer: required('OIDC_ISSUER', options.issuer ?? process.env.OIDC_ISSUER),
      clientId: required('OIDC_CLIENT_ID', options.clientId ?? process.env.OIDC_CLIENT_ID),
      jwksUri: required('ALB_KEYS_URL', options.keysUrl ?? process.env.ALB_KEYS_URL),
    },
    { jwksCache: new AlbJwksCache({ fetcher: createKeyFetcher() }) },
  );
  return {
    async verify(header) {
      if (!header)
        throw new AuthError('missing_identity', 'no x-amzn-oidc-data header: sign in through the load balancer');
      if (header.length > 16_384) throw new AuthError('invalid_identity', 'x-amzn-oidc-data is too large');
      try {
        return (await verifier.verify(header)) as unknown as AlbIdentity;
      } catch (error) {
        throw new AuthError('invalid_identity', `identity header rejected: ${(error as Error).message}`, {
          cause: error,
        });
      }
    },
  };
}
