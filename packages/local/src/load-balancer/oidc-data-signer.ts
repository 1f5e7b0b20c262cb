// Signs x-amzn-oidc-data as ALB does: ES256, ALB's header fields, and base64url segments WITH `=` padding.

import { generateKeyPairSync, type KeyObject, randomUUID, sign } from 'node:crypto';

/** base64url keeping the `=` padding, as ALB writes each segment (strict RFC 7515 parsers reject it). */
export function paddedBase64Url(data: Buffer | string): string {
  const encoded = Buffer.from(data).toString('base64url');
  return encoded + '='.repeat((4 - (encoded.length % 4)) % 4);
}

export interface OidcDataFields {
  /** The IdP issuer (header `iss` and payload `iss`). */
  readonly issuer: string;
  readonly clientId: string;
  /** Epoch seconds (header `exp` and payload `exp`). */
  readonly expiresAt: number;
  /** The userinfo claims. */
  readonly claims: Record<string, unknown>;
}

export class OidcDataSigner {
  /** A UUID, as ALB's kids are (aws-jwt-verify checks the shape). */
  readonly kid = randomUUID();
  private readonly privateKey: KeyObject;
  /** The public key as SPKI PEM, served at `<keysUrl>/<kid>`. */
  readonly publicKeyPem: string;

  constructor(private readonly signer: string) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = privateKey;
    this.publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }

  sign({ issuer, clientId, expiresAt, claims }: OidcDataFields): string {
    const header = {
      typ: 'JWT',
      kid: this.kid,
      alg: 'ES256',
      iss: issuer,
      client: clientId,
      signer: this.signer,
      exp: expiresAt,
    };
    const payload = { ...claims, exp: expiresAt, iss: issuer };
    // The signature covers the segments exactly as sent, padding included: that is what ALB verifiers
    // (aws-jwt-verify, PyJWT in AWS's sample) feed to the signature check.
    const input = `${paddedBase64Url(JSON.stringify(header))}.${paddedBase64Url(JSON.stringify(payload))}`;
    const signature = sign('sha256', Buffer.from(input), { key: this.privateKey, dsaEncoding: 'ieee-p1363' });
    return `${input}.${paddedBase64Url(signature)}`;
  }
}
