// The `migrate` and `migrate-status` commands: apply the workload's SQL migrations, or show which are pending.

import { migrate, migrationStatus, type TaskCommand, TaskFailure } from '@hello-fargate/runtime';
import { migrationsDir } from './app-folders.js';

/** `migrate`: applies every pending migration in one transaction; concurrent runs wait for each other. */
export const migrateCommand: TaskCommand = async ({ args, logger }) => {
  refuseArguments('migrate', args);
  await migrate({ dir: migrationsDir, logger });
  return 0;
};

/** `migrate-status`: logs the applied and the pending migrations; changes nothing. */
export const migrateStatusCommand: TaskCommand = async ({ args, logger }) => {
  refuseArguments('migrate-status', args);
  const status = await migrationStatus({ dir: migrationsDir, logger });
  const pending = status.pending.map((migration) => migration.file);
  logger.info(
    { applied: status.applied.map((migration) => migration.name), pending },
    pending.length === 0
      ? `${status.applied.length} migrations applied, none pending`
      : `${status.applied.length} migrations applied, ${pending.length} pending: ${pending.join(', ')}`,
  );
  return 0;
};

function refuseArguments(command: string, args: readonly string[]): void {
  if (args.length > 0) throw new TaskFailure(`${command} takes no arguments; got ${args.join(' ')}`, 2);
}
