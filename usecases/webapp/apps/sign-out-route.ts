// POST /signout: ends the load balancer's session (its cookies) and the IdP's (its logout endpoint).

import type { FastifyInstance } from 'fastify';

/** ALB splits a large session into `-0`, `-1`, …; four shards cover the largest session it accepts (11 KB). */
export const SESSION_COOKIES = [0, 1, 2, 3].map((shard) => `AWSELBAuthSessionCookie-${shard}`);

/**
 * Expires every session cookie shard, then 303s to the IdP logout (Cognito `/logout?client_id&logout_uri`), which
 * ends the IdP session and sends the browser back to the app, where the load balancer starts a new sign-in. Without
 * the IdP step the load balancer would sign the user straight back in from the IdP's session.
 */
export function signOutRoute(app: FastifyInstance, logoutUrl: string): void {
  app.post('/signout', async (request, reply) => {
    const secure = request.protocol === 'https' ? '; Secure' : '';
    void reply.header(
      'set-cookie',
      SESSION_COOKIES.map(
        (name) => `${name}=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; HttpOnly; SameSite=Lax${secure}`,
      ),
    );
    return reply.header('cache-control', 'no-store').redirect(logoutUrl, 303);
  });
}
