// The local load balancer (ALB stand-in): one listener, an action (forward / jwt-validation / authenticate-oidc), a target group.

import { Agent, createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { forwardedHeaders } from './forwarded-headers.js';
import { forwardRequest } from './forward-request.js';
import { createJwtValidator } from './jwt-validator.js';
import { startKeysServer } from './keys-server.js';
import { loadBalancerArn } from './load-balancer-arn.js';
import { type LoadBalancer, type LoadBalancerOptions, resolveOptions } from './load-balancer-options.js';
import { OidcAuthenticator } from './oidc-authenticator.js';
import { OidcDataSigner } from './oidc-data-signer.js';
import { sendError } from './send-error.js';
import { TargetGroup } from './target-group.js';

/** ALB's limits: 16 KB for one header (and the request line), 64 KB for all headers; over them ALB answers 400. */
const MAX_HEADER_BYTES = 16 * 1024;
const MAX_HEADERS_BYTES = 64 * 1024;

function oversizedHeader(req: IncomingMessage): string | undefined {
  if ((req.url?.length ?? 0) > MAX_HEADER_BYTES) return 'request line';
  for (let index = 0; index < req.rawHeaders.length; index += 2) {
    const name = req.rawHeaders[index] as string;
    if (name.length + (req.rawHeaders[index + 1] as string).length + 2 > MAX_HEADER_BYTES) return name;
  }
  return undefined;
}

export async function startLoadBalancer(options: LoadBalancerOptions): Promise<LoadBalancer> {
  const resolved = resolveOptions(options);
  const { action, host } = resolved;
  const arn = loadBalancerArn(resolved.name, resolved.region);
  const signer = new OidcDataSigner(arn);
  const validateJwt = action.type === 'jwt-validation' ? createJwtValidator(action) : undefined;
  const authenticator = action.type === 'authenticate-oidc' ? new OidcAuthenticator(action, signer) : undefined;
  const targetGroup = new TargetGroup({ targets: resolved.targets, healthCheck: resolved.healthCheck }).start();
  const agent = new Agent({ keepAlive: true });
  let listenerPort = 0;
  let requests = 0;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const oversized = oversizedHeader(req);
    if (oversized) {
      sendError(res, 400, `The ${oversized} header is over ALB's 16 KB limit.`);
      return;
    }
    const headers = forwardedHeaders(req, listenerPort);
    if (validateJwt) {
      const rejection = await validateJwt(req.headers.authorization);
      if (rejection) {
        sendError(res, rejection.status, rejection.message, { 'www-authenticate': rejection.wwwAuthenticate });
        return;
      }
    }
    if (authenticator) {
      const identity = await authenticator.authenticate(req, res);
      if (!identity) return;
      Object.assign(headers, identity);
    }
    const lease = targetGroup.pick();
    if (!lease) {
      sendError(
        res,
        503,
        `Load balancer '${resolved.name}' has no registered targets; start the workload (or wait for its replicas).`,
      );
      return;
    }
    forwardRequest({
      req,
      res,
      targetUrl: lease.url,
      headers,
      agent,
      idleTimeoutMs: resolved.idleTimeoutSeconds * 1000,
      onDone: lease.release,
    });
  }

  const server = createServer({ maxHeaderSize: MAX_HEADERS_BYTES }, (req, res) => {
    requests++;
    handle(req, res).catch((error: unknown) =>
      sendError(res, 500, `Load balancer '${resolved.name}' failed: ${(error as Error).message}`),
    );
  });
  // Malformed requests and headers over 64 KB: ALB answers 400 (Node's default would be 431 for the latter).
  server.on('clientError', (_error, socket) => {
    if (!socket.writable) return socket.destroy();
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  const keys = await startKeysServer(signer, host);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(resolved.port, host, resolve);
  }).catch(async (error: NodeJS.ErrnoException) => {
    targetGroup.stop();
    await keys.close();
    throw new Error(
      `Load balancer '${resolved.name}' could not listen on ${host}:${resolved.port} (${error.code ?? error.message}); free the port or choose another localPort.`,
      { cause: error },
    );
  });
  listenerPort = (server.address() as AddressInfo).port;

  return {
    url: `http://${host}:${listenerPort}`,
    arn,
    keysUrl: keys.url,
    targetHealth: () => targetGroup.targetHealth(),
    requestCount: () => requests,
    close: async () => {
      targetGroup.stop();
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await keys.close();
    },
  };
}
