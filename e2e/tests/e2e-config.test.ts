// Choosing the target and reading the AWS target's variables: what is missing is a skip note, what is wrong an error.

import { describe, expect, it } from 'vitest';
import { AwsTarget } from '../src/aws-target.js';
import { AWS_REQUIRED_VARIABLES, E2eConfigError, missingMessage, readE2eConfig } from '../src/e2e-config.js';

/** A complete, well-formed AWS configuration (values are placeholders; nothing is called). */
const complete = {
  E2E_TARGET: 'aws',
  E2E_ENV: 'staging',
  E2E_WEBAPP_URL: 'https://webapp.staging.example.com/',
  E2E_WEBAPI_URL: 'https://webapi.staging.example.com',
  E2E_TOKEN_URL: 'https://hf-staging.auth.eu-west-1.amazoncognito.com/oauth2/token',
  E2E_CLIENT_ID: 'partner-e2e',
  E2E_CLIENT_SECRET: 'secret',
  E2E_USER: 'e2e-user',
  E2E_PASSWORD: 'password',
};

function problemsOf(env: Record<string, string | undefined>): readonly string[] {
  try {
    readE2eConfig({ env });
  } catch (error) {
    if (error instanceof E2eConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected an E2eConfigError');
}

describe('readE2eConfig', () => {
  it('chooses the local runner when E2E_TARGET is unset, empty or "local"', () => {
    expect(readE2eConfig({ env: {} })).toEqual({ target: 'local' });
    expect(readE2eConfig({ env: { E2E_TARGET: ' ' } })).toEqual({ target: 'local' });
    expect(readE2eConfig({ env: { ...complete, E2E_TARGET: 'local' } })).toEqual({ target: 'local' });
  });

  it('refuses an E2E_TARGET that is neither local nor aws instead of guessing', () => {
    expect(problemsOf({ E2E_TARGET: 'staging' })).toEqual([
      'E2E_TARGET "staging" is neither "local" nor "aws"; leave it unset for local',
    ]);
  });

  it('names every variable the AWS target is missing, in the documented order', () => {
    expect(readE2eConfig({ env: { E2E_TARGET: 'aws' } })).toEqual({ target: 'aws', missing: AWS_REQUIRED_VARIABLES });
    const { E2E_TOKEN_URL: _token, E2E_PASSWORD: _password, ...partial } = complete;
    const config = readE2eConfig({ env: { ...partial, E2E_USER: '' } });
    expect(config).toEqual({ target: 'aws', missing: ['E2E_TOKEN_URL', 'E2E_USER', 'E2E_PASSWORD'] });
    expect(missingMessage(['E2E_TOKEN_URL', 'E2E_USER'])).toBe(
      'E2E_TARGET=aws needs E2E_TOKEN_URL, E2E_USER (not set); see docs/e2e.md',
    );
  });

  it('reads a complete configuration: region from infra/config, defaults for scope and sku, no trailing slash', () => {
    expect(readE2eConfig({ env: complete })).toEqual({
      target: 'aws',
      aws: {
        environment: 'staging',
        region: 'eu-west-1',
        webappUrl: 'https://webapp.staging.example.com',
        webapiUrl: 'https://webapi.staging.example.com',
        tokenUrl: complete.E2E_TOKEN_URL,
        clientId: 'partner-e2e',
        clientSecret: 'secret',
        user: 'e2e-user',
        password: 'password',
        scope: 'orders/read orders/write',
        sku: 'KB-MECH-01',
      },
    });
    const overridden = readE2eConfig({
      env: { ...complete, AWS_REGION: 'eu-central-1', E2E_SCOPE: 'orders/write', E2E_SKU: 'TEA-1' },
    });
    expect(overridden).toMatchObject({ aws: { region: 'eu-central-1', scope: 'orders/write', sku: 'TEA-1' } });
  });

  it('reports every malformed value at once, even while other variables are missing', () => {
    const problems = problemsOf({
      E2E_TARGET: 'aws',
      E2E_ENV: 'qa',
      E2E_WEBAPP_URL: 'webapp.staging.example.com',
      E2E_WEBAPI_URL: 'http://webapi.staging.example.com',
      E2E_TOKEN_URL: 'https://auth.example.com/oauth2/token?client=x',
      AWS_DEFAULT_REGION: 'Ireland',
      E2E_SCOPE: 'orders/read,orders/write',
    });
    expect(problems).toEqual([
      'E2E_WEBAPP_URL "webapp.staging.example.com" is not a URL; give the full address, e.g. https://orders.staging.example.com',
      'E2E_WEBAPI_URL "http://webapi.staging.example.com" must use https: a deployed load balancer and Cognito are only reached over TLS',
      'E2E_TOKEN_URL "https://auth.example.com/oauth2/token?client=x" must not carry a query or fragment',
      // infra/config words the rest (the known environments, how to add one).
      expect.stringMatching(/^E2E_ENV "qa": unknown environment "qa"; known environments: .*staging/),
      'AWS_DEFAULT_REGION "Ireland" is not an AWS region name such as eu-west-1',
      'E2E_SCOPE "orders/read,orders/write" must be scopes separated by single spaces, e.g. "orders/read orders/write"',
    ]);
  });

  it('refuses other schemes, and allows plain http only on this machine (a stub)', () => {
    expect(problemsOf({ ...complete, E2E_WEBAPI_URL: 'ftp://webapi.example.com' })).toEqual([
      'E2E_WEBAPI_URL "ftp://webapi.example.com" must be an http(s) URL, not ftp:',
    ]);
    expect(readE2eConfig({ env: { ...complete, E2E_WEBAPI_URL: 'http://127.0.0.1:8081' } })).toMatchObject({
      aws: { webapiUrl: 'http://127.0.0.1:8081' },
    });
  });
});

describe('AwsTarget.fromEnv', () => {
  it('throws the configuration error, naming each malformed variable, instead of building a target', () => {
    const build = () => AwsTarget.fromEnv({ ...complete, E2E_WEBAPP_URL: 'not a url', AWS_REGION: 'EU' });
    expect(build).toThrow(E2eConfigError);
    expect(build).toThrow(/E2E_WEBAPP_URL "not a url" is not a URL/);
    expect(build).toThrow(/AWS_REGION "EU" is not an AWS region name/);
  });

  it('throws, naming what is missing, when asked to build a target without every variable', () => {
    expect(() => AwsTarget.fromEnv({ E2E_ENV: 'staging' })).toThrow(
      'E2E_TARGET=aws needs E2E_WEBAPP_URL, E2E_WEBAPI_URL, E2E_TOKEN_URL, E2E_CLIENT_ID, E2E_CLIENT_SECRET, E2E_USER, E2E_PASSWORD (not set)',
    );
  });

  it('builds a target named after the environment that says why it cannot check the background work', async () => {
    const target = AwsTarget.fromEnv(complete);
    expect(target.name).toBe('aws staging');
    expect(target.unsupported['background work']).toMatch(/not reachable from outside the VPC/);
    await expect(target.backgroundWork()).rejects.toThrow(/written to the Aurora database only/);
    await target.close();
  });
});
