import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'packages/*/tests/**/*.test.ts',
      'usecases/*/tests/**/*.test.ts',
      'infra/tests/**/*.test.ts',
      'e2e/**/*.test.ts',
    ],
    globalSetup: ['tools/testing/global-setup.ts'],
    reporters: ['default', './tools/testing/summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
