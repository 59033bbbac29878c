import { defineConfig } from 'vitest/config';

// Tests that measure CPU shares of real guests run alone, one file at a time, after the rest: on a 2-core
// machine a parallel guest boot would starve the busy vCPU they look at.
export default defineConfig({
  test: {
    include: ['apps/server/test/**/*.solo.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
