// x-amzn-oidc-data encoding: every segment is base64url with `=` padding, whatever the claims' length.

import { createPublicKey, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { OidcDataSigner, paddedBase64Url } from '../../src/load-balancer/oidc-data-signer.js';

describe('OidcDataSigner', () => {
  it('pads base64url to a multiple of four characters', () => {
    expect(paddedBase64Url('a')).toBe('YQ==');
    expect(paddedBase64Url('ab')).toBe('YWI=');
    expect(paddedBase64Url('abc')).toBe('YWJj');
    expect(paddedBase64Url(Buffer.from([0xfb, 0xff]))).toBe('-_8=');
  });

  it('pads the payload segment when its length needs it, and the signature always', () => {
    const signer = new OidcDataSigner(
      'arn:aws:elasticloadbalancing:local:000000000000:loadbalancer/app/web/0123456789abcdef',
    );
    const key = createPublicKey(signer.publicKeyPem);
    const payloadPaddings = new Set<number>();
    for (const name of ['A', 'Ad', 'Ada']) {
      const token = signer.sign({
        issuer: 'http://idp',
        clientId: 'c',
        expiresAt: 2_000_000_000,
        claims: { sub: 's', name },
      });
      const [header = '', payload = '', signature = ''] = token.split('.');
      for (const segment of [header, payload, signature]) expect(segment.length % 4).toBe(0);
      expect(signature).toMatch(/^[\w-]{86}==$/);
      payloadPaddings.add(payload.length - payload.replace(/=+$/, '').length);
      const valid = verify(
        'sha256',
        Buffer.from(`${header}.${payload}`),
        { key, dsaEncoding: 'ieee-p1363' },
        Buffer.from(signature, 'base64url'),
      );
      expect(valid).toBe(true);
    }
    expect([...payloadPaddings].sort()).toEqual([0, 1, 2]);
  });
});
