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
      comment:
        'The qemu-level migration engine speaks QMP only: no services, HTTP, stores or peers of the server.',
      from: { path: '^apps/server/src/engine/qemu-direct/migration/' },
      to: { path: '^apps/server/src/', pathNot: '^apps/server/src/engine/qemu-direct/migration/' },
    },
    {
      name: 'engines-behind-the-seam',
      severity: 'error',
      comment:
        'Services reach engines through the seam (engine/*.ts); only main.ts builds an engine, and only the seam ' +
        'itself may name what it re-exports from one.',
      from: {
        path: '^apps/server/src/',
        pathNot: ['^apps/server/src/engine/', '^apps/server/src/main[.]ts$'],
      },
      to: { path: '^apps/server/src/engine/[^/]+/' },
    },
    {
      name: 'engines-through-their-index',
      severity: 'error',
      comment: "Outside an engine's own folder, it is used through its index.ts.",
      from: { path: '^apps/server/src/', pathNot: '^apps/server/src/engine/qemu-direct/' },
      to: {
        path: '^apps/server/src/engine/qemu-direct/',
        pathNot: [
          '^apps/server/src/engine/qemu-direct/index[.]ts$',
          '^apps/server/src/engine/qemu-direct/migration/index[.]ts$',
        ],
      },
    },
    {
      name: 'libvirt-engine-through-its-index',
      severity: 'error',
      comment: 'Outside the libvirt engine, it is used through its index.ts (main.ts builds it).',
      from: { path: '^apps/server/src/', pathNot: '^apps/server/src/engine/libvirt/' },
      to: {
        path: '^apps/server/src/engine/libvirt/',
        pathNot: '^apps/server/src/engine/libvirt/index[.]ts$',
      },
    },
    {
      name: 'the-seam-knows-no-services',
      severity: 'error',
      comment:
        'Engines serve the services, not the other way round: no engine module imports a service or HTTP.',
      from: { path: '^apps/server/src/engine/' },
      to: {
        path: '^apps/server/src/((http|ws|migration|peers|consoles|auth)/|metrics/(?!proc[.]ts)|vms/vm-)',
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
