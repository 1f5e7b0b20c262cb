// The runner's web layer: the identity provider and one load balancer listener per webapp/webapi, wired to the apps.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { System, Workload } from '@hello-fargate/workload';
import {
  type IdentityClient,
  type IdentityProvider,
  loadIdentityConfig,
  startIdentityProvider,
} from './identity/index.js';
import { type LoadBalancer, type LoadBalancerTarget, startLoadBalancer } from './load-balancer/index.js';
import { freePort } from './ports.js';

/** Region used in local ARNs: aws-jwt-verify's AlbJwtVerifier accepts only AWS-shaped regions in `signer`. */
export const LOCAL_REGION = 'us-east-1';

export interface WebLayerOptions {
  readonly system: System;
  readonly root: string;
  readonly stateDir: string;
  /** The load balancer targets of a workload right now (its running, not-unhealthy replicas). */
  readonly targetsOf: (workload: string) => readonly LoadBalancerTarget[];
  /** Demo users and clients. @default `<root>/local/identity.json` */
  readonly identityFile?: string;
  /** Listen on any free port instead of each workload's declared `loadBalancer.localPort` (tests). @default false */
  readonly freeListenerPorts?: boolean;
  /** Preferred identity provider port; a free one when busy. @default 7410 */
  readonly identityPort?: number;
  /** Target group health check interval in seconds (AWS default 30; shorter locally). @default 5 */
  readonly healthCheckIntervalSeconds?: number;
}

export interface WebLayer {
  readonly identity: IdentityProvider;
  /** Listener of each external workload, by workload name. */
  readonly listeners: ReadonlyMap<string, LoadBalancer>;
  /** The environment contract variables the web layer gives a workload (AUTH_*, OIDC_*, ALB_*, LOGOUT_URL). */
  environmentFor(workload: Workload): Record<string, string>;
  close(): Promise<void>;
}

/** Starts the identity provider and listeners when the system has a webapp or webapi; undefined otherwise. */
export async function startWebLayer(options: WebLayerOptions): Promise<WebLayer | undefined> {
  const external = options.system.workloads.filter((w) => w.loadBalancer);
  if (external.length === 0) return undefined;
  const identityFile = options.identityFile ?? join(options.root, 'local', 'identity.json');
  if (!existsSync(identityFile)) {
    throw new Error(
      `${identityFile} is missing: the local identity provider needs its demo users and clients (see docs/local-identity.md)`,
    );
  }
  const config = loadIdentityConfig(identityFile);

  const ports = new Map<string, number>();
  for (const workload of external) {
    const declared = workload.loadBalancer?.localPort as number;
    const port = options.freeListenerPorts ? await freePort(0) : declared;
    if (!options.freeListenerPorts && (await freePort(declared)) !== declared) {
      throw new Error(
        `port ${declared} for the load balancer of "${workload.name}" is in use; free it or set loadBalancer.localPort`,
      );
    }
    ports.set(workload.name, port);
  }

  // The browser client's callback and logout URLs follow the listener actually used, as the ALB's would.
  const browserClients = new Map<string, IdentityClient>();
  const clients = config.clients.map((client) => ({ ...client }));
  for (const workload of external.filter((w) => w.loadBalancer?.authentication === 'cognito')) {
    const client =
      clients.find((c) => c.clientId === `${workload.name}-local`) ?? clients.find((c) => c.type === 'browser');
    if (!client) throw new Error(`${identityFile} has no browser client for "${workload.name}" (type "browser")`);
    const port = ports.get(workload.name) as number;
    const origins = [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
    Object.assign(client, {
      callbackUrls: [...new Set([...(client.callbackUrls ?? []), ...origins.map((o) => `${o}/oauth2/idpresponse`)])],
      logoutUrls: [...new Set([...(client.logoutUrls ?? []), ...origins.map((o) => `${o}/`)])],
    });
    browserClients.set(workload.name, client);
  }

  const startIdentity = (port: number) =>
    startIdentityProvider({
      users: config.users,
      clients,
      resourceServers: options.system.resourceServers,
      port,
      keyFile: join(options.stateDir, 'identity-key.json'),
    });
  // Bind the preferred port directly (probing first would race with other runners and parallel tests); any free
  // port when it is taken, or when listeners use free ports anyway.
  const preferred = options.freeListenerPorts ? 0 : (options.identityPort ?? 7410);
  const identity = await startIdentity(preferred).catch((error: NodeJS.ErrnoException) => {
    if (preferred !== 0 && error.code === 'EADDRINUSE') return startIdentity(0);
    throw error;
  });

  const listeners = new Map<string, LoadBalancer>();
  try {
    for (const workload of external) {
      const client = browserClients.get(workload.name);
      listeners.set(
        workload.name,
        await startLoadBalancer({
          name: `local-${workload.name}`,
          port: ports.get(workload.name) as number,
          region: LOCAL_REGION,
          targets: () => options.targetsOf(workload.name),
          healthCheck: {
            path: workload.healthCheck?.path ?? '/health',
            intervalSeconds: options.healthCheckIntervalSeconds ?? 5,
            healthyThresholdCount: 2,
            unhealthyThresholdCount: 2,
          },
          action: client
            ? {
                type: 'authenticate-oidc',
                issuer: identity.issuer,
                clientId: client.clientId,
                clientSecret: client.clientSecret,
              }
            : { type: 'jwt-validation', issuer: identity.issuer, jwksEndpoint: identity.jwksUri },
        }),
      );
    }
  } catch (error) {
    await Promise.all([...listeners.values()].map((l) => l.close()));
    await identity.stop();
    throw error;
  }

  return {
    identity,
    listeners,
    environmentFor(workload): Record<string, string> {
      const listener = listeners.get(workload.name);
      if (workload.loadBalancer?.authentication === 'jwt') {
        return { AUTH_ISSUER: identity.issuer, AUTH_JWKS_URI: identity.jwksUri };
      }
      const client = browserClients.get(workload.name);
      if (!listener || !client) return {};
      const logout = new URL(identity.endpoints.logout);
      logout.searchParams.set('client_id', client.clientId);
      logout.searchParams.set('logout_uri', `${listener.url}/`);
      return {
        OIDC_ISSUER: identity.issuer,
        OIDC_CLIENT_ID: client.clientId,
        ALB_ARN: listener.arn,
        ALB_KEYS_URL: listener.keysUrl,
        LOGOUT_URL: logout.toString(),
      };
    },
    async close() {
      await Promise.all([...listeners.values()].map((l) => l.close()));
      await identity.stop();
    },
  };
}
