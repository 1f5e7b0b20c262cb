// Entry of rescore-orders: one AWS Batch array child scores one shard of the orders (`rescore`, the default command).

import { runTaskMain } from '@hello-fargate/runtime';
import { createRescoreCommand } from './rescore-command.js';

await runTaskMain({ rescore: createRescoreCommand() }, { defaultCommand: 'rescore' });
