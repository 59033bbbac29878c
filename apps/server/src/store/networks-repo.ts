import { NetworkDefinitionSchema, type NetworkDefinition } from '../networks/network-definition.ts';
import type { Db } from './db.ts';

/** The managed networks' definitions (table `networks`), by name. */
export class NetworksRepo {
  constructor(private readonly db: Db) {}

  /** Every network, by name; a row that no longer parses (a newer version wrote it) is left out. */
  list(): NetworkDefinition[] {
    const rows = this.db.prepare('SELECT definition FROM networks ORDER BY name').all() as {
      definition: string;
    }[];
    return rows.flatMap((r) => {
      const parsed = NetworkDefinitionSchema.safeParse(JSON.parse(r.definition));
      return parsed.success ? [parsed.data] : [];
    });
  }

  get(name: string): NetworkDefinition | undefined {
    return this.list().find((n) => n.name === name);
  }

  insert(def: NetworkDefinition): void {
    this.db
      .prepare('INSERT INTO networks (name, definition, created_at) VALUES (?, ?, ?)')
      .run(def.name, JSON.stringify(def), new Date().toISOString());
  }

  update(def: NetworkDefinition): void {
    this.db.prepare('UPDATE networks SET definition = ? WHERE name = ?').run(JSON.stringify(def), def.name);
  }

  delete(name: string): void {
    this.db.prepare('DELETE FROM networks WHERE name = ?').run(name);
  }
}
