// Each bench writes its figures as JSON (bench/results/<name>-<date>.json, or `--json <file>`) and, given
// `--compare <old.json>` or finding an earlier result of the same bench, prints each figure against it.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const RESULTS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'results');

/** Flat figures: `"start.api.median": 84.2`. Numbers only, so that two runs compare key by key. */
export type Figures = Record<string, number>;

export interface BenchResult {
  bench: string;
  at: string;
  /** The counts and settings the run used (env), so a comparison can tell unlike runs apart. */
  params: Record<string, string | number>;
  figures: Figures;
}

export interface CompareRow {
  key: string;
  old: number;
  now: number;
  /** now / old; NaN when old is 0 or missing. */
  change: number;
}

/** The figures both runs have, with now/old. */
export function compareFigures(old: Figures, now: Figures): CompareRow[] {
  return Object.keys(now)
    .filter((key) => key in old)
    .map((key) => {
      const o = old[key] ?? NaN;
      const n = now[key] ?? NaN;
      return { key, old: o, now: n, change: o === 0 ? NaN : n / o };
    });
}

export function formatComparison(rows: readonly CompareRow[], label: string): string {
  if (rows.length === 0) return `  vs ${label}: no figures in common`;
  const lines = rows.map(
    (r) =>
      `    ${r.key.padEnd(40)} ${fmt(r.old).padStart(10)} -> ${fmt(r.now).padStart(10)}` +
      (Number.isFinite(r.change) ? `  (${r.change.toFixed(2)}x)` : ''),
  );
  return [`  vs ${label}:`, ...lines].join('\n');
}

const fmt = (x: number): string => (Number.isFinite(x) ? String(Math.round(x * 100) / 100) : '-');

/** `--json <file>` and `--compare <file>` from the command line (npm run bench -- start --json x.json). */
export function resultArgs(argv: readonly string[] = process.argv): { json?: string; compare?: string } {
  const after = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i === -1 ? undefined : argv[i + 1];
  };
  const json = after('--json');
  const compare = after('--compare');
  return { ...(json === undefined ? {} : { json }), ...(compare === undefined ? {} : { compare }) };
}

function latestOf(bench: string): string | undefined {
  if (!fs.existsSync(RESULTS_DIR)) return undefined;
  const files = fs
    .readdirSync(RESULTS_DIR)
    .filter((f) => f.startsWith(`${bench}-`) && f.endsWith('.json'))
    .sort();
  const last = files.at(-1);
  return last === undefined ? undefined : path.join(RESULTS_DIR, last);
}

function readResult(file: string): BenchResult | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<BenchResult>;
    return typeof parsed.figures === 'object' ? (parsed as BenchResult) : undefined;
  } catch {
    return undefined;
  }
}

/** Prints the comparison with `--compare` or the bench's last result, then writes this one; returns its path. */
export function saveResult(result: Omit<BenchResult, 'at'>): string {
  const args = resultArgs();
  const at = new Date().toISOString();
  const previous = args.compare ?? latestOf(result.bench);
  const old = previous === undefined ? undefined : readResult(previous);
  if (old && previous !== undefined) {
    const label = args.compare === undefined ? `last run (${old.at})` : previous;
    console.log(formatComparison(compareFigures(old.figures, result.figures), label));
  }
  const file =
    args.json ?? path.join(RESULTS_DIR, `${result.bench}-${at.replaceAll(':', '').replace(/\..*/, '')}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ ...result, at }, null, 2) + '\n');
  console.log(`  figures written to ${path.relative(process.cwd(), file)}`);
  return file;
}
