// ALB authenticate-oidc: session cookie or sign-in redirect, the /oauth2/idpresponse callback, x-amzn-oidc-* headers.

import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { deleteCookie, parseCookies, setCookie } from './cookies.js';
import type { AuthenticateOidcAction, ResolvedOidcAction } from './load-balancer-options.js';
import { resolveOidcAction } from './load-balancer-options.js';
import { IdpError, OidcClient } from './oidc-client.js';
import type { OidcDataSigner } from './oidc-data-signer.js';
import { sendError } from './send-error.js';
import { SessionCookie } from './session-cookie.js';

export const CALLBACK_PATH = '/oauth2/idpresponse';
/** ALB's cookie binding the browser to the sign-in it started (AuthInvalidAWSALBAuthNonce when it mismatches). */
const NONCE_COOKIE = 'AWSALBAuthNonce';
/** ALB answers 500 when the claims and tokens from the IdP exceed 11 KB. */
const MAX_CLAIMS_AND_TOKENS_BYTES = 11 * 1024;
/** How long a started sign-in may take before its state is forgotten. */
const PENDING_TTL_MS = 15 * 60_000;
const MAX_PENDING = 1_000;
/**
 * Lifetime of one x-amzn-oidc-data token (*unverified*: ALB does not document it; tokens seen in the wild expire
 * within minutes). Capped by the session's end.
 */
const OIDC_DATA_TTL_SECONDS = 120;

interface PendingSignIn {
  readonly nonce: string;
  readonly codeVerifier: string;
  readonly redirectUri: string;
  readonly originalUrl: string;
  readonly startedAt: number;
}

const random = () => randomBytes(32).toString('base64url');

export class OidcAuthenticator {
  private readonly action: ResolvedOidcAction;
  private readonly client: OidcClient;
  private readonly sessions: SessionCookie;
  private readonly pending = new Map<string, PendingSignIn>();

  constructor(
    action: AuthenticateOidcAction,
    private readonly signer: OidcDataSigner,
  ) {
    this.action = resolveOidcAction(action);
    this.client = new OidcClient(this.action);
    this.sessions = new SessionCookie(this.action.sessionCookieName);
  }

  /**
   * Authenticates one request. Returns the headers to add before forwarding, or undefined when the load balancer
   * has answered itself (redirect, callback, 401, IdP failure).
   */
  async authenticate(req: IncomingMessage, res: ServerResponse): Promise<OutgoingHttpHeaders | undefined> {
    try {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === CALLBACK_PATH) {
        await this.callback(req, res, url.searchParams);
        return undefined;
      }
      const session = this.sessions.read(req);
      if (session) return this.identityHeaders(session.claims, session.accessToken, session.expiresAt);
      switch (this.action.onUnauthenticatedRequest) {
        case 'allow':
          return {};
        case 'deny':
          sendError(res, 401, 'Not signed in, and this listener denies unauthenticated requests.');
          return undefined;
        case 'authenticate':
          await this.redirectToSignIn(req, res);
          return undefined;
      }
    } catch (error) {
      if (!(error instanceof IdpError)) throw error;
      sendError(res, error.status, error.message);
      return undefined;
    }
  }

  private identityHeaders(claims: Record<string, unknown>, accessToken: string, sessionEnd: number) {
    const expiresAt = Math.min(sessionEnd, Math.floor(Date.now() / 1000) + OIDC_DATA_TTL_SECONDS);
    return {
      'x-amzn-oidc-accesstoken': accessToken,
      'x-amzn-oidc-identity': String(claims.sub),
      'x-amzn-oidc-data': this.signer.sign({
        issuer: this.action.issuer,
        clientId: this.action.clientId,
        expiresAt,
        claims,
      }),
    };
  }

  private async redirectToSignIn(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { authorization_endpoint } = await this.client.configuration();
    const state = random();
    const nonce = random();
    const codeVerifier = random();
    const redirectUri = `http://${req.headers.host ?? '127.0.0.1'}${CALLBACK_PATH}`;
    this.remember(state, { nonce, codeVerifier, redirectUri, originalUrl: req.url ?? '/', startedAt: Date.now() });
    const location = new URL(authorization_endpoint);
    location.search = new URLSearchParams({
      client_id: this.action.clientId,
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: this.action.scope,
      state,
      nonce,
      code_challenge: createHash('sha256').update(codeVerifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    res.writeHead(302, {
      location: location.toString(),
      'set-cookie': setCookie(NONCE_COOKIE, nonce),
      'cache-control': 'no-cache, no-store',
      'content-length': 0,
    });
    res.end();
  }

  private remember(state: string, signIn: PendingSignIn): void {
    const now = Date.now();
    for (const [key, value] of this.pending) {
      if (now - value.startedAt > PENDING_TTL_MS || this.pending.size >= MAX_PENDING) this.pending.delete(key);
    }
    this.pending.set(state, signIn);
  }

  private async callback(req: IncomingMessage, res: ServerResponse, params: URLSearchParams): Promise<void> {
    const state = params.get('state') ?? '';
    const signIn = this.pending.get(state);
    this.pending.delete(state);
    if (params.has('error')) {
      sendError(
        res,
        401,
        `The IdP refused the sign-in: ${params.get('error')} ${params.get('error_description') ?? ''}`,
      );
      return;
    }
    if (!signIn || Date.now() - signIn.startedAt > PENDING_TTL_MS) {
      sendError(res, 401, `${CALLBACK_PATH} was called with a state this load balancer did not issue (or it expired).`);
      return;
    }
    if (parseCookies(req).get(NONCE_COOKIE) !== signIn.nonce) {
      sendError(res, 401, `The ${NONCE_COOKIE} cookie does not match the sign-in; enable cookies and retry.`);
      return;
    }
    const code = params.get('code');
    if (!code) {
      sendError(res, 401, `${CALLBACK_PATH} was called without a code.`);
      return;
    }
    const tokens = await this.client.exchangeCode(code, signIn.redirectUri, signIn.codeVerifier);
    if (tokens.idToken) await this.client.verifyIdToken(tokens.idToken, signIn.nonce);
    const claims = await this.client.userInfo(tokens.accessToken);
    const size =
      Buffer.byteLength(JSON.stringify(claims)) +
      Buffer.byteLength(tokens.accessToken) +
      Buffer.byteLength(tokens.idToken ?? '');
    if (size > MAX_CLAIMS_AND_TOKENS_BYTES) {
      sendError(res, 500, `The IdP's claims and tokens are ${size} bytes; ALB accepts at most 11 KB.`);
      return;
    }
    const expiresAt = Math.floor(Date.now() / 1000) + this.action.sessionTimeoutSeconds;
    res.writeHead(302, {
      location: signIn.originalUrl,
      'set-cookie': [
        ...this.sessions.write(req, { claims, accessToken: tokens.accessToken, expiresAt }),
        deleteCookie(NONCE_COOKIE),
      ],
      'cache-control': 'no-cache, no-store',
      'content-length': 0,
    });
    res.end();
  }
}
