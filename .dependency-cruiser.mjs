// The import rules `npm run lint` holds the workspaces to (dependency-cruiser; `npx depcruise apps packages`).
// Type-only imports count: a cycle of types is still two modules that cannot be read or moved apart.
const SOURCES = '^(apps/server/src|apps/web/src|packages/[^/]+/src)/';
const TESTS = '([.]test[.]ts|/test-support[.]ts)$|^apps/server/test/|^e2e/|^packages/[^/]+/src/testing/';

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules that import each other, directly or round a loop: give one side an interface to ask.',
      from: { path: SOURCES },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import this check cannot follow would hide what it should see (tsc refuses it too).',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'packages-not-to-apps',
      severity: 'error',
      comment: 'packages/* are libraries the apps use; they never import an app.',
      from: { path: '^packages/' },
      to: { path: '^apps/' },
    },
    {
      name: 'web-not-to-server',
      severity: 'error',
      comment: 'The web app shares only packages/protocol with the server, never its code.',
      from: { path: '^apps/web/' },
      to: { path: '^apps/server/' },
    },
    {
      name: 'migration-engine-stays-qemu-level',
      severity: 'error',
      comment: 'The migration engine speaks QMP only: no services, HTTP, stores or peers of the server.',
      from: { path: '^apps/server/src/migration/engine/' },
      to: { path: '^apps/server/src/', pathNot: '^apps/server/src/migration/engine/' },
    },
    {
      name: 'migration-engine-through-its-index',
      severity: 'error',
      comment: 'The rest of the server uses the migration engine through its surface, engine/index.ts.',
      from: { path: '^apps/server/src/', pathNot: '^apps/server/src/migration/engine/' },
      to: {
        path: '^apps/server/src/migration/engine/',
        pathNot: '^apps/server/src/migration/engine/index[.]ts$',
      },
    },
    {
      name: 'testing-entries-only-in-tests',
      severity: 'error',
      comment:
        "A package's testing entry (@virtweb/qmp/testing) is for tests: the server's build must not reach it.",
      from: { pathNot: TESTS },
      to: { path: '^packages/[^/]+/src/testing/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'default'],
      extensions: ['.ts', '.tsx', '.js', '.mjs'],
    },
  },
};
