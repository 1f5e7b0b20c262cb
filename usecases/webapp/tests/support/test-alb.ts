// A stand-in for the ALB's signing side in tests: signs x-amzn-oidc-data as ALB does and serves the PEM by kid.

import { createServer, type Server } from 'node:http';
import { createHmac, generateKeyPairSync, type KeyObject, randomUUID, sign } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export const TEST_ISSUER = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_TestPool';
export const TEST_CLIENT_ID = 'webapp-test-client';
export const TEST_ALB_ARN =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/test-webapp/0123456789abcdef';

/** base64url with the `=` padding ALB writes. */
export const padded = (data: Buffer | string): string => {
  const encoded = Buffer.from(data).toString('base64url');
  return encoded + '='.repeat((4 - (encoded.length % 4)) % 4);
};

export interface TokenOptions {
  /** Header fields replacing or adding to ALB's. */
  readonly header?: Record<string, unknown>;
  /** Claims replacing or adding to the default user's. */
  readonly claims?: Record<string, unknown>;
  /** Sign with another key (a forgery). @default the served key */
  readonly key?: KeyObject;
  /** Keep ALB's `=` padding. @default true */
  readonly pad?: boolean;
}

export interface TestAlb {
  readonly arn: string;
  readonly kid: string;
  /** Where the PEM is served: `<keysUrl>/<kid>`. */
  readonly keysUrl: string;
  readonly publicKeyPem: string;
  /** Key downloads so far. */
  readonly keyFetches: () => number;
  /** What createAlbIdentityVerifier needs to trust this "load balancer". */
  readonly verifierOptions: { albArn: string; issuer: string; clientId: string; keysUrl: string };
  /** An x-amzn-oidc-data value: ES256 over padded base64url segments, ALB's header fields, 2 minutes to live. */
  token(options?: TokenOptions): string;
  /** A token signed with HS256, the public key PEM as the HMAC secret (the algorithm-confusion attack). */
  hs256Token(): string;
  /** An unsigned token: `alg: none`, empty signature. */
  noneToken(): string;
  close(): Promise<void>;
}

export const DEFAULT_CLAIMS = {
  sub: '7d0c6a62-1f0e-4c35-9b55-2f6f8a1c0e11',
  email: 'alice@example.com',
  email_verified: 'true',
  username: 'alice',
};

export async function startTestAlb(): Promise<TestAlb> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const kid = randomUUID();
  let fetches = 0;
  const server: Server = createServer((req, res) => {
    fetches++;
    if (req.url === `/${kid}`) {
      res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(publicKeyPem);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const keysUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const fields = (header: Record<string, unknown> = {}, claims: Record<string, unknown> = {}) => {
    const exp = Math.floor(Date.now() / 1000) + 120;
    return {
      header: {
        typ: 'JWT',
        kid,
        alg: 'ES256',
        iss: TEST_ISSUER,
        client: TEST_CLIENT_ID,
        signer: TEST_ALB_ARN,
        exp,
        ...header,
      },
      payload: { ...DEFAULT_CLAIMS, exp, iss: TEST_ISSUER, ...claims },
    };
  };

  return {
    arn: TEST_ALB_ARN,
    kid,
    keysUrl,
    publicKeyPem,
    keyFetches: () => fetches,
    verifierOptions: { albArn: TEST_ALB_ARN, issuer: TEST_ISSUER, clientId: TEST_CLIENT_ID, keysUrl },
    token(options = {}) {
      const { header, payload } = fields(options.header, options.claims);
      const encode = options.pad === false ? (d: string | Buffer) => Buffer.from(d).toString('base64url') : padded;
      const input = `${encode(JSON.stringify(header))}.${encode(JSON.stringify(payload))}`;
      const signature = sign('sha256', Buffer.from(input), {
        key: options.key ?? privateKey,
        dsaEncoding: 'ieee-p1363',
      });
      return `${input}.${encode(signature)}`;
    },
    hs256Token() {
      const { header, payload } = fields({ alg: 'HS256' });
      const input = `${padded(JSON.stringify(header))}.${padded(JSON.stringify(payload))}`;
      return `${input}.${padded(createHmac('sha256', publicKeyPem).update(input).digest())}`;
    },
    noneToken() {
      const { header, payload } = fields({ alg: 'none' });
      return `${padded(JSON.stringify(header))}.${padded(JSON.stringify(payload))}.`;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A key the load balancer never used: signatures made with it are forgeries. */
export function forgerKey(): KeyObject {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
}
