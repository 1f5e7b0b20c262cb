// Entry of order-stats: `order-stats.ts run` (a scheduled snapshot) or `order-stats.ts serve` (the HTTP service).

import { runTaskMain } from '@hello-fargate/runtime';
import { orderStatsCommands } from './order-stats-commands.js';

await runTaskMain(orderStatsCommands);
