// order-stats's two commands, seed 001's trigger switch: `run` on a schedule, or `serve` as an ALB+JWT service.

import { ConfigError, connectDatabase, intEnv, serveHttp, type TaskCommand, TaskFailure } from '@hello-fargate/runtime';
import { createAccessTokenVerifier } from '@hello-fargate/runtime/auth';
import { createOrderStatsApp } from './create-order-stats-app.js';
import { takeOrderStatsSnapshot } from './order-stats-snapshot.js';

export const orderStatsCommands: Record<string, TaskCommand> = {
  /** Computes one snapshot and exits: the scheduled variant (`rate(15 minutes)`). */
  run: async ({ args, logger }) => {
    refuseArguments('run', args);
    const pool = await connectDatabase({ max: 1 });
    try {
      const snapshot = await takeOrderStatsSnapshot(pool);
      logger.info(
        { snapshot },
        `order stats: ${snapshot.ordersLast24h} orders and ${snapshot.revenueLast24hCents} cents in the last 24 h`,
      );
    } finally {
      await pool.end().catch(() => undefined);
    }
    return 0;
  },
  /**
   * Serves GET /stats on PORT until SIGTERM, then drains and exits: the service variant. Tokens are checked against
   * AUTH_ISSUER / AUTH_JWKS_URI, which the platform sets for a service behind a JWT-validating load balancer.
   */
  serve: async ({ args, logger }) => {
    refuseArguments('serve', args);
    // Configuration first: a missing variable must not leave an open pool keeping the process alive.
    if (!process.env.AUTH_ISSUER) {
      throw new ConfigError(
        'AUTH_ISSUER',
        'environment variable AUTH_ISSUER is not set; serve verifies access tokens, and the platform sets it when order-stats is declared with the service trigger ({ type: "service", command: ["serve"] })',
      );
    }
    const verifier = createAccessTokenVerifier();
    // ORDER_STATS_MAX_AGE_SECONDS: how old a stored snapshot may be before /stats computes a new one. @default 900
    const maxSnapshotAgeSeconds = intEnv('ORDER_STATS_MAX_AGE_SECONDS', 900, [0, 86_400]);
    const pool = await connectDatabase();
    const app = createOrderStatsApp({ pool, verifier, logger, maxSnapshotAgeSeconds });
    app.addHook('onClose', async () => {
      await pool.end();
    });
    // serveHttp drains on SIGTERM and then calls exit: the command ends there, with the drain's exit code.
    return new Promise<number>((resolve, reject) => {
      serveHttp(app, { exit: resolve }).catch(reject);
    });
  },
};

function refuseArguments(command: string, args: readonly string[]): void {
  if (args.length > 0) throw new TaskFailure(`${command} takes no arguments; got ${args.join(' ')}`, 2);
}
