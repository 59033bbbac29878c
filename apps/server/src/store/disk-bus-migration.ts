// The store migration of disks that said `ide` on q35 (then AHCI SATA) to the `sata` bus they always were.
import type Database from 'better-sqlite3';
import { sataForIdeOnQ35 } from '../vms/definition.ts';

/**
 * Rewrites every stored definition of a q35 guest with an `ide` disk to `sata` (what qemu gave it: q35 has no
 * IDE), and the disk facts of its snapshots alike, so a revert finds the disk on the bus it was on. Rows it
 * cannot read are left to the reader (which does the same).
 */
export function ideOnQ35ToSata(db: Database.Database): void {
  const rows = db.prepare('SELECT id, definition FROM vms').all() as { id: string; definition: string }[];
  const updateVm = db.prepare('UPDATE vms SET definition = ? WHERE id = ?');
  const snapshots = db.prepare('SELECT name, facts FROM vm_snapshots WHERE vm_id = ? AND facts IS NOT NULL');
  const updateFacts = db.prepare('UPDATE vm_snapshots SET facts = ? WHERE vm_id = ? AND name = ?');
  for (const row of rows) {
    const def = parse(row.definition);
    if (def === undefined || (def.machine ?? 'q35') !== 'q35') continue;
    const rewritten = sataForIdeOnQ35(def);
    if (rewritten !== def) updateVm.run(JSON.stringify(rewritten), row.id);
    for (const snap of snapshots.all(row.id) as { name: string; facts: string }[]) {
      const facts = parse(snap.facts);
      if (facts === undefined) continue;
      const next: Record<string, unknown> = sataForIdeOnQ35({ ...facts, machine: 'q35' });
      if (next.disks !== facts.disks)
        updateFacts.run(JSON.stringify({ ...facts, disks: next.disks }), row.id, snap.name);
    }
  }
}

function parse(json: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(json);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
