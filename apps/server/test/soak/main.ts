// `npm run soak -- --minutes 15 --seed 42 --guests 6 [--keep-going] [--log soak.log] [--quiet]`
import { parseArgs } from 'node:util';
import { formatReport } from './report.ts';
import { runSoak } from './runner.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '15' },
    seed: { type: 'string' },
    guests: { type: 'string', default: '6' },
    'server-kills': { type: 'string' },
    'qemu-kills': { type: 'string' },
    'keep-going': { type: 'boolean', default: false },
    log: { type: 'string' },
    quiet: { type: 'boolean', default: false },
  },
});

const num = (s: string | undefined): number | undefined => (s === undefined ? undefined : Number(s));
const seed = num(values.seed) ?? Math.floor(Math.random() * 2 ** 31);
console.log(`soak: seed ${seed} (repeat with --seed ${seed})`);
// Ctrl+C ends the run cleanly (guests killed, log closed); a second one ends it at once.
const abort = new AbortController();
process.on('SIGINT', () => {
  if (abort.signal.aborted) process.exit(130);
  console.log('soak: stopping (Ctrl+C again to quit at once)');
  abort.abort();
});
const report = await runSoak({
  signal: abort.signal,
  seed,
  minutes: Number(values.minutes),
  guests: Number(values.guests),
  serverKills: num(values['server-kills']),
  qemuKills: num(values['qemu-kills']),
  keepGoing: values['keep-going'],
  logFile: values.log,
  echo: !values.quiet,
});
console.log(`\n${formatReport(report)}`);
process.exit(report.violations.length > 0 ? 1 : 0);
