// The local stand-in for https://public-keys.auth.elb.<region>.amazonaws.com: `GET /<kid>` returns the PEM.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OidcDataSigner } from './oidc-data-signer.js';

export interface KeysServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function startKeysServer(signer: OidcDataSigner, host: string): Promise<KeysServer> {
  const server = createServer((req, res) => {
    const kid = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(1));
    if (req.method !== 'GET' || kid !== signer.kid) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end(`No public key with kid '${kid}'; the load balancer signs with ${signer.kid}.\n`);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/x-pem-file' });
    res.end(signer.publicKeyPem);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
