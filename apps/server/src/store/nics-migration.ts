// The store migration from a guest's one `network` to its list of `nics`, each NIC with a unique MAC.
import type Database from 'better-sqlite3';
import { nicsFromNetwork } from '../vms/definition.ts';
import { randomMac } from '../vms/nic-defaults.ts';

/**
 * Rewrites every stored definition that still has `network` (and no `nics`) to `nics`: its NIC in slot 0 with a
 * new MAC, unique against every MAC already stored and each other. Rows it cannot read are left to the reader.
 */
export function nicsWithUniqueMacs(db: Database.Database): void {
  const rows = db.prepare('SELECT id, definition FROM vms ORDER BY created_at, id').all() as {
    id: string;
    definition: string;
  }[];
  const defs = rows.flatMap((r) => {
    try {
      const def: unknown = JSON.parse(r.definition);
      return typeof def === 'object' && def !== null
        ? [{ id: r.id, def: def as Record<string, unknown> }]
        : [];
    } catch {
      return [];
    }
  });
  const taken = new Set(
    defs.flatMap(({ def }) =>
      Array.isArray(def.nics)
        ? def.nics.flatMap((n: unknown) =>
            typeof n === 'object' && n !== null && typeof (n as { mac?: unknown }).mac === 'string'
              ? [(n as { mac: string }).mac]
              : [],
          )
        : [],
    ),
  );
  const update = db.prepare('UPDATE vms SET definition = ? WHERE id = ?');
  for (const { id, def } of defs) {
    if (def.nics !== undefined) continue;
    const { network, ...rest } = def;
    const mac = randomMac(taken);
    taken.add(mac);
    update.run(JSON.stringify({ ...rest, nics: nicsFromNetwork(network ?? 'user', mac) }), id);
  }
}
