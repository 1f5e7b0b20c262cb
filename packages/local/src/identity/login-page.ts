// The server-rendered sign-in page of the local identity provider (Cognito's hosted-UI /login stand-in).

export interface LoginPageOptions {
  /** Where the form posts to. */
  readonly action: string;
  /** The app client the user is signing in to. */
  readonly clientId: string;
  /** Pre-filled username, e.g. after a wrong password. @default '' */
  readonly username?: string;
  /** An error shown above the form. @default - none */
  readonly error?: string;
}

/** HTML for the sign-in form: username, password and an optional error, with no scripts. */
export function renderLoginPage(options: LoginPageOptions): string {
  const username = escapeHtml(options.username ?? '');
  const error = options.error ? `<p class="error" role="alert">${escapeHtml(options.error)}</p>` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · local identity provider</title>
<style>
  body { font-family: system-ui, sans-serif; background: #f4f5f7; display: grid; place-items: center; min-height: 100vh; margin: 0; }
  main { background: #fff; padding: 2rem 2.5rem; border-radius: 8px; box-shadow: 0 1px 4px rgba(0,0,0,.15); width: 20rem; }
  h1 { font-size: 1.25rem; margin: 0 0 .25rem; }
  .client { color: #555; font-size: .875rem; margin: 0 0 1.25rem; }
  label { display: block; font-size: .875rem; margin: .75rem 0 .25rem; }
  input { width: 100%; box-sizing: border-box; padding: .5rem; font-size: 1rem; border: 1px solid #bbb; border-radius: 4px; }
  button { margin-top: 1.25rem; width: 100%; padding: .6rem; font-size: 1rem; border: 0; border-radius: 4px; background: #232f3e; color: #fff; cursor: pointer; }
  .error { background: #fdecea; color: #a4000f; padding: .5rem .75rem; border-radius: 4px; font-size: .875rem; }
  .note { color: #777; font-size: .75rem; margin-top: 1rem; }
</style>
</head>
<body>
<main>
  <h1>Sign in</h1>
  <p class="client">to <strong>${escapeHtml(options.clientId)}</strong></p>
  ${error}
  <form method="post" action="${escapeHtml(options.action)}">
    <label for="username">Username</label>
    <input id="username" name="username" autocomplete="username" value="${username}" required autofocus>
    <label for="password">Password</label>
    <input id="password" name="password" type="password" autocomplete="current-password" required>
    <button type="submit">Sign in</button>
  </form>
  <p class="note">Local identity provider: users are listed in local/identity.json.</p>
</main>
</body>
</html>
`;
}

/** HTML for an error the browser user reads (an authorization request that cannot go on, a bad logout link). */
export function renderErrorPage(title: string, details: Readonly<Record<string, string | undefined>>): string {
  const rows = Object.entries(details)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `<p><strong>${escapeHtml(key)}</strong>: ${escapeHtml(value as string)}</p>`)
    .join('\n  ');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)} · local identity provider</title>
<style>body { font-family: system-ui, sans-serif; max-width: 36rem; margin: 3rem auto; } h1 { font-size: 1.25rem; }</style>
</head>
<body>
  <h1>${escapeHtml(title)}</h1>
  ${rows}
</body>
</html>
`;
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
