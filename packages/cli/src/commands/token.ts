// `hf token --client <id> [--scope <scopes>]`: a client-credentials access token from the running runner's identity provider.

import { join } from 'node:path';
import { type IdentityConfig, loadIdentityConfig } from '@hello-fargate/local';
import { CliError } from '../cli-error.js';
import { stateDirFor } from '../load-system.js';
import { fetchStatus, findRunner } from '../runner-client.js';

export interface TokenCommandOptions {
  readonly root: string;
  /** A machine client id from local/identity.json, e.g. `partner-reader`. */
  readonly client: string;
  /** Space-separated scopes, e.g. `orders/read orders/write`. @default - every scope the client is allowed (Cognito's rule) */
  readonly scope?: string;
}

/** Prints the access token on stdout; exit 3 when no runner is running. */
export async function tokenCommand(options: TokenCommandOptions): Promise<number> {
  const runner = findRunner(stateDirFor(options.root));
  if (!runner) throw new CliError('no local runner is running here; start it with `npm start`', 3);
  const status = await fetchStatus(runner);
  const issuer = status.endpoints.identityIssuer;
  if (!issuer) {
    throw new CliError(
      'the running local runner has no identity provider (status.endpoints.identityIssuer is empty); restart it with `npm start`',
      3,
    );
  }
  const secret = clientSecret(join(options.root, 'local', 'identity.json'), options.client);
  const discovery = await fetchJson(`${issuer}/.well-known/openid-configuration`);
  const tokenEndpoint = discovery.body.token_endpoint;
  if (typeof tokenEndpoint !== 'string') {
    throw new CliError(`the identity provider at ${issuer} publishes no token_endpoint in its discovery document`);
  }
  const body = new URLSearchParams({ grant_type: 'client_credentials' });
  if (options.scope?.trim()) body.set('scope', options.scope.trim());
  const credentials = `${formEncode(options.client)}:${formEncode(secret)}`;
  const answer = await fetchJson(tokenEndpoint, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(credentials).toString('base64')}` },
    body,
  });
  const token = answer.body.access_token;
  if (answer.status !== 200 || typeof token !== 'string') {
    const error = String(answer.body.error ?? `HTTP ${answer.status}`);
    const description = answer.body.error_description ? `: ${String(answer.body.error_description)}` : '';
    throw new CliError(`the identity provider refused client "${options.client}": ${error}${description}`);
  }
  process.stdout.write(`${token}\n`);
  return 0;
}

/** The client's secret from local/identity.json; a clear error when the file or client is missing. */
function clientSecret(file: string, clientId: string): string {
  let config: IdentityConfig;
  try {
    config = loadIdentityConfig(file);
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  const client = config.clients.find((c) => c.clientId === clientId);
  if (!client?.clientSecret) {
    const known = config.clients.map((c) => c.clientId).join(', ') || 'none';
    throw new CliError(`${file}: no client "${clientId}" with a clientSecret (clients: ${known})`, 2);
  }
  return client.clientSecret;
}

async function fetchJson(url: string, init?: RequestInit): Promise<{ status: number; body: Record<string, unknown> }> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    throw new CliError(
      `cannot reach the identity provider at ${url} (${(error as Error).message}); is the runner still up?`,
    );
  }
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  return { status: response.status, body };
}

/** application/x-www-form-urlencoded, as HTTP Basic client credentials require (RFC 6749 §2.3.1). */
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}
