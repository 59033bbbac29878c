import { defineConfig } from 'vitest/config';

// Unit tests and the integration tests that boot real qemu (TCG) share one run; guests are slow on 2 cores.
export default defineConfig({
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'apps/server/{src,test}/**/*.test.ts',
      'apps/web/src/**/*.test.ts',
      'scripts/**/*.test.ts',
      'bench/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', '**/*.solo.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 90_000,
    maxWorkers: 2,
    reporters: ['default'],
  },
});
