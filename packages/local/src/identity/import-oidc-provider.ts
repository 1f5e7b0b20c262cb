// Loads oidc-provider without its "Unsupported runtime" notice: it runs on Node 20 here (and is tested on it).

import type Provider from 'oidc-provider';

let loaded: Promise<typeof Provider> | undefined;

/**
 * oidc-provider prints a console warning at import on any Node release before 22 LTS. The project's machines run
 * Node 20, where the library works and its tests pass; the notice would only alarm people reading `npm start`.
 */
export function importOidcProvider(): Promise<typeof Provider> {
  loaded ??= (async () => {
    const warn = console.warn;
    console.warn = (...args: unknown[]) => {
      if (!String(args[0]).includes('oidc-provider WARNING: Unsupported runtime')) warn(...args);
    };
    try {
      return (await import('oidc-provider')).default;
    } finally {
      console.warn = warn;
    }
  })();
  return loaded;
}
