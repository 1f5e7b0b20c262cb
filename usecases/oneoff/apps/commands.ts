// The oneoff task's commands by name; `main.ts` runs one of them.

import type { TaskCommand } from '@hello-fargate/runtime';
import { importCommand } from './import-command.js';
import { migrateCommand, migrateStatusCommand } from './migrate-command.js';

export const commands: Record<string, TaskCommand> = {
  migrate: migrateCommand,
  'migrate-status': migrateStatusCommand,
  import: importCommand,
};
