// `npm run e2e`: only the end-to-end suite, with the project's global setup (the PostgreSQL server) and reporters.

import { defineConfig } from 'vitest/config';
import base from '../vitest.config.js';

// Replaces the project's include instead of merging with it (mergeConfig would concatenate the lists).
export default defineConfig({ ...base, test: { ...base.test, include: ['e2e/**/*.test.ts'] } });
