// Entry of the oneoff task: `main.ts migrate | migrate-status | import [flags]`; exits 0 on success.

import { runTaskMain } from '@hello-fargate/runtime';
import { commands } from './commands.js';

await runTaskMain(commands);
