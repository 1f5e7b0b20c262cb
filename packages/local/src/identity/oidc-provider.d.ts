// Type declarations for the parts of oidc-provider 9 this package uses (the library ships no types).

declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export interface OidcClient {
    readonly clientId: string;
    grantTypeAllowed(grantType: string): boolean;
  }

  export interface OidcSession {
    readonly accountId?: string;
    grantIdFor(clientId: string): string | undefined;
  }

  export interface OidcToken {
    readonly accountId?: string;
    readonly clientId?: string;
    readonly authTime?: number;
    readonly kind?: string;
  }

  export interface OidcContext {
    readonly path: string;
    readonly method: string;
    type: string;
    body: unknown;
    readonly oidc: {
      readonly client?: OidcClient;
      readonly session?: OidcSession;
      readonly params?: Record<string, unknown>;
      readonly result?: { consent?: { grantId?: string } };
      readonly entities: Record<string, OidcToken | undefined>;
      readonly provider: Provider;
    };
  }

  export interface OidcInteraction {
    readonly uid: string;
    readonly prompt: { readonly name: string };
    readonly params: Record<string, unknown>;
  }

  export interface OidcGrant {
    addOIDCScope(scope: string): void;
    addResourceScope(resource: string, scope: string): void;
    save(): Promise<string>;
  }

  export interface AdapterPayload {
    readonly [key: string]: unknown;
    readonly grantId?: string;
    readonly userCode?: string;
    readonly uid?: string;
    consumed?: number;
  }

  export interface Adapter {
    upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void>;
    find(id: string): Promise<AdapterPayload | undefined>;
    findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
    findByUid(uid: string): Promise<AdapterPayload | undefined>;
    consume(id: string): Promise<void>;
    destroy(id: string): Promise<void>;
    revokeByGrantId(grantId: string): Promise<void>;
  }

  export type Configuration = Record<string, unknown>;

  export type Middleware = (ctx: OidcContext, next: () => Promise<void>) => Promise<void>;

  export default class Provider {
    constructor(issuer: string, configuration: Configuration);
    readonly issuer: string;
    readonly Grant: {
      new (properties: { clientId: string; accountId: string }): OidcGrant;
      find(id: string): Promise<OidcGrant | undefined>;
    };
    readonly Session: { find(id: string): Promise<{ destroy(): Promise<void> } | undefined> };
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    use(middleware: Middleware): void;
    on(event: string, listener: (...args: unknown[]) => void): void;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<OidcInteraction>;
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: Record<string, unknown>,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>;
  }

  export const errors: {
    readonly InvalidScope: new (description: string, scope: string) => Error;
    readonly InvalidRequest: new (description: string) => Error;
  };
}
