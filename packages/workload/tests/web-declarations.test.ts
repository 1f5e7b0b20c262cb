import { describe, expect, it } from 'vitest';
import { DeclarationError, defineSystem, defineWorkload, serviceUrlVariable } from '../src/index.js';

const dir = '/tmp/usecases/x';

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof DeclarationError) return error.field;
    throw error;
  }
  throw new Error('expected a DeclarationError');
}

describe('web layer declarations', () => {
  it('requires a load balancer for webapp and webapi, with the authentication their kind uses', () => {
    expect(fieldOf(() => defineWorkload({ name: 'web', kind: 'webapp', directory: dir, port: 3000 }))).toBe(
      'loadBalancer',
    );
    expect(
      fieldOf(() =>
        defineWorkload({
          name: 'api',
          kind: 'webapi',
          directory: dir,
          port: 3000,
          loadBalancer: { authentication: 'cognito' },
        }),
      ),
    ).toBe('loadBalancer.authentication');
    const api = defineWorkload({
      name: 'api',
      kind: 'webapi',
      directory: dir,
      port: 3000,
      loadBalancer: { authentication: 'jwt' },
    });
    expect(api.loadBalancer).toEqual({ authentication: 'jwt', localPort: 8081 });
  });

  it('refuses a load balancer on a backend and Service Connect settings on anything but a backend', () => {
    expect(
      fieldOf(() =>
        defineWorkload({
          name: 'b',
          kind: 'backend',
          directory: dir,
          port: 1,
          loadBalancer: { authentication: 'jwt' },
        }),
      ),
    ).toBe('loadBalancer');
    expect(
      fieldOf(() =>
        defineWorkload({
          name: 'api',
          kind: 'webapi',
          directory: dir,
          port: 1,
          loadBalancer: { authentication: 'jwt' },
          serviceConnect: { dnsName: 'api' },
        }),
      ),
    ).toBe('serviceConnect');
    expect(defineWorkload({ name: 'orders-core', kind: 'backend', directory: dir, port: 8080 }).serviceConnect).toEqual(
      {
        dnsName: 'orders-core',
      },
    );
  });

  it('lets workloads depend only on backends, reached through BACKEND_URL-style variables', () => {
    const api = defineWorkload({
      name: 'api',
      kind: 'webapi',
      directory: dir,
      port: 1,
      loadBalancer: { authentication: 'jwt' },
    });
    const web = defineWorkload({
      name: 'web',
      kind: 'webapp',
      directory: dir,
      port: 2,
      loadBalancer: { authentication: 'cognito' },
      dependsOn: { workloads: ['api'] },
    });
    expect(() => defineSystem({ name: 'demo', workloads: [api, web] })).toThrow(
      /"api" is a webapi; workloads call backends \(through Service Connect\)/,
    );
    expect(serviceUrlVariable('orders-core')).toBe('ORDERS_CORE_URL');
  });

  it('derives Cognito-shaped scopes from resource servers and rejects bad scope names', () => {
    const system = defineSystem({
      name: 'demo',
      workloads: [],
      resourceServers: [{ identifier: 'orders', scopes: ['read', 'write'] }],
    });
    expect(system.scopes).toEqual(['orders/read', 'orders/write']);
    expect(() =>
      defineSystem({ name: 'demo', workloads: [], resourceServers: [{ identifier: 'orders', scopes: ['re ad'] }] }),
    ).toThrow(DeclarationError);
  });
});
