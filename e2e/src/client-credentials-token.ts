// An access token from an OAuth 2.0 token endpoint (Cognito or the local stand-in) by the client-credentials grant.

export interface ClientCredentials {
  /** The token endpoint, e.g. `https://<domain>.auth.<region>.amazoncognito.com/oauth2/token`. */
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Scopes to ask for, space-separated. @default - the client's allowed scopes */
  readonly scope?: string;
}

/** POSTs the grant with HTTP Basic client authentication; a refusal names the endpoint, status and OAuth error. */
export async function clientCredentialsToken(credentials: ClientCredentials): Promise<string> {
  const { tokenUrl, clientId, clientSecret, scope } = credentials;
  const response = await fetch(tokenUrl, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) }),
  });
  const text = await response.text();
  let body: { access_token?: unknown; error?: unknown; error_description?: unknown } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // reported below with the raw text
  }
  if (!response.ok || typeof body.access_token !== 'string') {
    const reason =
      typeof body.error === 'string' ? `${body.error} ${body.error_description ?? ''}` : text.slice(0, 200);
    throw new Error(
      `no token for client ${clientId} from ${tokenUrl}: HTTP ${response.status} ${reason.trim()}; ` +
        'check the client id and secret and that the client may use the client-credentials grant with these scopes',
    );
  }
  return body.access_token;
}
