// Reads which target the end-to-end suite runs against, and everything the AWS target needs, from the environment.

import { loadEnvironment } from '../../infra/config/index.js';

type Env = Readonly<Record<string, string | undefined>>;

/** What the AWS target needs to reach a deployed environment. */
export interface AwsTargetConfig {
  /** E2E_ENV: the deployed environment (infra/config), e.g. `staging`. */
  readonly environment: string;
  /** AWS_REGION, else AWS_DEFAULT_REGION, else the environment's configured region. */
  readonly region: string;
  /** E2E_WEBAPP_URL: the webapp's address (ALB authenticate-cognito in front). */
  readonly webappUrl: string;
  /** E2E_WEBAPI_URL: the webapi's address (ALB jwt-validation or API Gateway in front). */
  readonly webapiUrl: string;
  /** E2E_TOKEN_URL: the Cognito token endpoint, `https://<domain>/oauth2/token`. */
  readonly tokenUrl: string;
  /** E2E_CLIENT_ID / E2E_CLIENT_SECRET: a Cognito app client allowed the client-credentials grant. */
  readonly clientId: string;
  readonly clientSecret: string;
  /** E2E_USER / E2E_PASSWORD: a Cognito user who signs in to the webapp through the hosted UI. */
  readonly user: string;
  readonly password: string;
  /** E2E_SCOPE: scopes asked for with the token. @default 'orders/read orders/write' */
  readonly scope: string;
  /** E2E_SKU: a sku of the environment's catalogue for partner orders. @default 'KB-MECH-01' */
  readonly sku: string;
}

export type E2eConfig =
  | { readonly target: 'local' }
  | { readonly target: 'aws'; readonly aws: AwsTargetConfig }
  /** The AWS target was asked for but variables are not set: its scenarios are skipped, naming them. */
  | { readonly target: 'aws'; readonly missing: readonly string[] };

/** Every variable the AWS target cannot run without, in the order the docs list them. */
export const AWS_REQUIRED_VARIABLES = [
  'E2E_ENV',
  'E2E_WEBAPP_URL',
  'E2E_WEBAPI_URL',
  'E2E_TOKEN_URL',
  'E2E_CLIENT_ID',
  'E2E_CLIENT_SECRET',
  'E2E_USER',
  'E2E_PASSWORD',
] as const;

export const DEFAULT_SCOPE = 'orders/read orders/write';
export const DEFAULT_SKU = 'KB-MECH-01';

/** A value that is set but wrong: the suite stops with every problem listed instead of skipping anything. */
export class E2eConfigError extends Error {
  override readonly name = 'E2eConfigError';
  readonly code = 'HF_E2E_CONFIG';
  constructor(readonly problems: readonly string[]) {
    super(`the end-to-end configuration is wrong (see docs/e2e.md):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export interface ReadE2eConfigOptions {
  /** Where the variables are read. @default process.env */
  readonly env?: Env;
  /** An environment's configured region; throws for an unknown one. @default - infra/config's loadEnvironment */
  readonly environmentRegion?: (name: string) => string;
}

/** A short sentence for the skip note: which variables the AWS target is missing. */
export function missingMessage(missing: readonly string[]): string {
  return `E2E_TARGET=aws needs ${missing.join(', ')} (not set); see docs/e2e.md`;
}

/**
 * `E2E_TARGET` unset or `local` → the local runner; `aws` → a deployed environment. Variables that are set are
 * checked even when others are missing, so a malformed one is an E2eConfigError, never a skip.
 */
export function readE2eConfig(options: ReadE2eConfigOptions = {}): E2eConfig {
  const env = options.env ?? process.env;
  const environmentRegion = options.environmentRegion ?? ((name: string) => loadEnvironment(name).region);
  const value = (name: string): string | undefined => env[name]?.trim() || undefined;

  const target = value('E2E_TARGET') ?? 'local';
  if (target !== 'local' && target !== 'aws') {
    throw new E2eConfigError([`E2E_TARGET "${target}" is neither "local" nor "aws"; leave it unset for local`]);
  }
  if (target === 'local') return { target };

  const problems: string[] = [];
  for (const name of ['E2E_WEBAPP_URL', 'E2E_WEBAPI_URL', 'E2E_TOKEN_URL'] as const) {
    const text = value(name);
    if (text !== undefined) problems.push(...urlProblems(name, text));
  }
  const environment = value('E2E_ENV');
  let configuredRegion: string | undefined;
  if (environment !== undefined) {
    try {
      configuredRegion = environmentRegion(environment);
    } catch (error) {
      problems.push(`E2E_ENV "${environment}": ${(error as Error).message}`);
    }
  }
  const regionVariable = value('AWS_REGION') !== undefined ? 'AWS_REGION' : 'AWS_DEFAULT_REGION';
  const region = value(regionVariable) ?? configuredRegion;
  if (value(regionVariable) !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region as string)) {
    problems.push(`${regionVariable} "${region}" is not an AWS region name such as eu-west-1`);
  }
  const scope = value('E2E_SCOPE') ?? DEFAULT_SCOPE;
  if (!/^[\w./:-]+( [\w./:-]+)*$/.test(scope)) {
    problems.push(`E2E_SCOPE "${scope}" must be scopes separated by single spaces, e.g. "${DEFAULT_SCOPE}"`);
  }
  if (problems.length > 0) throw new E2eConfigError(problems);

  const missing = AWS_REQUIRED_VARIABLES.filter((name) => value(name) === undefined);
  if (missing.length > 0) return { target, missing };
  const required = (name: (typeof AWS_REQUIRED_VARIABLES)[number]) => value(name) as string;
  return {
    target,
    aws: {
      environment: required('E2E_ENV'),
      region: region as string,
      webappUrl: stripSlash(required('E2E_WEBAPP_URL')),
      webapiUrl: stripSlash(required('E2E_WEBAPI_URL')),
      tokenUrl: required('E2E_TOKEN_URL'),
      clientId: required('E2E_CLIENT_ID'),
      clientSecret: required('E2E_CLIENT_SECRET'),
      user: required('E2E_USER'),
      password: required('E2E_PASSWORD'),
      scope,
      sku: value('E2E_SKU') ?? DEFAULT_SKU,
    },
  };
}

/** An absolute http(s) URL without query or fragment; plain http only on this machine (a stub). */
function urlProblems(name: string, text: string): string[] {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return [`${name} "${text}" is not a URL; give the full address, e.g. https://orders.staging.example.com`];
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return [`${name} "${text}" must be an http(s) URL, not ${url.protocol}`];
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol === 'http:' && !loopback) {
    return [`${name} "${text}" must use https: a deployed load balancer and Cognito are only reached over TLS`];
  }
  if (url.search || url.hash) return [`${name} "${text}" must not carry a query or fragment`];
  return [];
}

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
