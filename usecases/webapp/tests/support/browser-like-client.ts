// A tiny browser stand-in over node:http: exact headers (repeated or oversized ones too), a cookie jar, redirects.

import { request } from 'node:http';

export interface Answer {
  readonly status: number;
  readonly location: string | undefined;
  readonly setCookies: readonly string[];
  readonly body: string;
}

/** One request with exactly these headers (fetch would merge or refuse some); no redirects followed. */
export function send(
  url: string,
  options: { method?: string; headers?: Record<string, string | string[]>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          location: res.headers.location,
          setCookies: res.headers['set-cookie'] ?? [],
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Cookies by name (every server in these tests is on 127.0.0.1, where cookies ignore the port, as in browsers). */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  store(answer: Answer): void {
    for (const line of answer.setCookies) {
      const [pair = ''] = line.split(';');
      const index = pair.indexOf('=');
      const name = pair.slice(0, index).trim();
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(index + 1));
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  names(): string[] {
    return [...this.cookies.keys()];
  }
}

/** Signs `username` in through the load balancer's authenticate-oidc flow and the IdP's login form. */
export async function signInThroughLoadBalancer(
  listenerUrl: string,
  username: string,
  password: string,
): Promise<CookieJar> {
  const jar = new CookieJar();
  const visit = async (
    url: string,
    init: { method?: string; body?: string; headers?: Record<string, string> } = {},
  ) => {
    const answer = await send(url, { ...init, headers: { ...init.headers, cookie: jar.header() } });
    jar.store(answer);
    return answer;
  };
  let url = `${listenerUrl}/orders`;
  let answer = await visit(url);
  for (let hops = 0; answer.status >= 300 && answer.status < 400 && hops < 5; hops++) {
    url = new URL(answer.location as string, url).toString();
    answer = await visit(url);
  }
  const action = /action="([^"]+)"/.exec(answer.body)?.[1]?.replace(/&#38;|&amp;/g, '&');
  if (!action) throw new Error(`no login form at ${url} (status ${answer.status})`);
  url = new URL(action, url).toString();
  answer = await visit(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username, password }).toString(),
  });
  for (let hops = 0; answer.status >= 300 && answer.status < 400 && hops < 8; hops++) {
    url = new URL(answer.location as string, url).toString();
    if (url === `${listenerUrl}/orders`) return jar;
    answer = await visit(url);
  }
  throw new Error(`sign-in of ${username} did not come back to ${listenerUrl}/orders (last: ${url} ${answer.status})`);
}
