// Bundles the server (dist/main.js), the passwd CLI (dist/passwd.js) and the workspace packages (TypeScript
// sources) they use; npm packages stay external and are loaded from node_modules at run time (better-sqlite3
// is native).
import { build } from 'esbuild';

await build({
  entryPoints: ['src/main.ts', 'src/passwd.ts'],
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  logLevel: 'warning',
  plugins: [
    {
      name: 'externalize-npm-packages',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (args) =>
          args.path.startsWith('@virtweb/') ? undefined : { path: args.path, external: true },
        );
      },
    },
  ],
});
