// The `rescore` command: reads the Batch array contract, scores its shard, and exits 0, 1 or 75 for the retry strategy.

import {
  connectDatabase,
  databaseUrlFromEnv,
  describeError,
  readBatchArray,
  type TaskCommand,
  TaskFailure,
} from '@hello-fargate/runtime';
import type pg from 'pg';
import { TEMPORARY_FAILURE_EXIT_CODE } from './exit-codes.js';
import { rescoreShard } from './rescore-shard.js';
import { isTemporaryDatabaseError } from './temporary-database-error.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface RescoreCommandOptions {
  /** @default process.env */
  readonly env?: Env;
  /** Clock for a hand-started run's job id. @default () => new Date() */
  readonly now?: () => Date;
}

/**
 * Exit 0: the shard is scored (or was, by an earlier attempt). Exit 1: the environment is invalid or the shard was
 * done twice (ConfigError / TaskFailure, with what to fix). Exit 75: the database was unreachable or the transaction
 * failed transiently; nothing was kept and the retry strategy runs another attempt.
 */
export function createRescoreCommand(options: RescoreCommandOptions = {}): TaskCommand {
  const env = options.env ?? process.env;
  const now = options.now ?? (() => new Date());
  return async ({ args, logger }) => {
    if (args.length > 0) throw new TaskFailure(`rescore takes no arguments; got ${args.join(' ')}`, 2);
    const shard = readBatchArray(env, now);
    const url = databaseUrlFromEnv(env);
    const log = logger.child({ jobId: shard.parentJobId, shardIndex: shard.index, attempt: shard.attempt });
    let pool: pg.Pool | undefined;
    try {
      pool = await connectDatabase({ url, max: 1, connectionTimeoutMillis: 10_000 });
      const result = await rescoreShard(pool, shard);
      log.info(
        { arraySize: shard.size, ...result },
        result.outcome === 'scored'
          ? `shard ${shard.index} of ${shard.size}: scored ${result.ordersScored} orders`
          : `shard ${shard.index} of ${shard.size} was already scored by an earlier attempt of this job: nothing to do`,
      );
      return 0;
    } catch (error) {
      if (!isTemporaryDatabaseError(error)) throw error;
      throw new TaskFailure(
        `temporary database failure, nothing of shard ${shard.index} was kept: ${describeError(error)}; exiting ${TEMPORARY_FAILURE_EXIT_CODE} so AWS Batch retries the attempt`,
        TEMPORARY_FAILURE_EXIT_CODE,
        { cause: error },
      );
    } finally {
      await pool?.end().catch(() => undefined);
    }
  };
}
