// The soak's figures and violations in plain text (the CLI prints it; the test shows it when it fails).
import type { SoakReport } from './runner.ts';

const median = (xs: number[]): number | undefined => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? undefined : s[Math.floor((s.length - 1) / 2)];
};
const pct = (x: number | undefined) => `${Math.round((x ?? 0) * 100)}%`;

export function formatReport(r: SoakReport): string {
  const lines = [
    `soak seed ${r.seed}: ${r.minutes} min, ${r.guests} guests, ${(r.elapsedMs / 60_000).toFixed(1)} min in all`,
    `API operations: ${r.operations}, marker writes and reads in the guests: ${r.consoleOperations} (${Object.entries(
      r.byKind,
    )
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')})`,
    `in flight: 2-4 for ${pct((r.inFlightShare[2] ?? 0) + (r.inFlightShare[3] ?? 0) + (r.inFlightShare[4] ?? 0))} of the time, ` +
      `1 for ${pct(r.inFlightShare[1])}, none for ${pct(r.inFlightShare[0])}`,
    `kill -9: server ${r.serverKills}, qemu ${r.qemuKills}; inside: ${r.killsInside.join(', ') || '-'}`,
    `server answered after a restart in (median) ${median(r.restartAnsweredMs) ?? '-'} ms (${r.restartAnsweredMs.join(', ')})`,
    `a killed qemu shown stopped/crashed after (median) ${median(r.crashShownMs) ?? '-'} ms (${r.crashShownMs.join(', ')})`,
    `markers synced ${r.markersSynced}, checked at the end ${r.markersChecked}; qcow2 images checked ${r.qcow2Checked}` +
      (r.leaks.length > 0 ? `; leaks (not corruption): ${r.leaks.join('; ')}` : ''),
    `violations: ${r.violations.length}${r.keptDataDir === undefined ? '' : ` (data dir kept: ${r.keptDataDir})`}`,
  ];
  for (const v of r.violations) {
    lines.push(
      '',
      `VIOLATION at ${v.at} [${v.kind}] ${v.text}`,
      '  last log lines:',
      ...v.tail.map((l) => `    ${l}`),
    );
  }
  return lines.join('\n');
}
