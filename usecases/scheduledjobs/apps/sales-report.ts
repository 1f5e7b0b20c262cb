// Entry of the sales-report task: `sales-report.ts extract | aggregate | publish`, one step of daily-sales-report each.

import { runTaskMain } from '@hello-fargate/runtime';
import { createSalesReportCommands } from './sales-report-commands.js';

await runTaskMain(createSalesReportCommands());
