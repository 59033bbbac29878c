// Bundles the server and the workspace packages (TypeScript sources) into dist/main.js; npm packages stay
// external and are loaded from node_modules at run time (better-sqlite3 is native).
import { build } from 'esbuild';

await build({
  entryPoints: ['src/main.ts'],
  outfile: 'dist/main.js',
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
