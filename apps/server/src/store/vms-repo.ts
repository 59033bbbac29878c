import { z } from 'zod';
import {
  AutostartSchema,
  EngineIdSchema,
  VmExitSchema,
  VmLabelsSchema,
  VmStateSchema,
  type EngineRef,
  type VmExit,
  type VmState,
} from '@virtweb/protocol';
import { VmDefinitionSchema, type VmDefinition } from '../vms/definition.ts';
import { SnapshotFactsSchema, type SnapshotFacts } from '../vms/storage/snapshot-facts.ts';
import type { SnapshotNote, SnapshotTreeNotes } from '../vms/storage/snapshot-tree.ts';
import type { Db } from './db.ts';

/**
 * A VM as stored: its definition plus the last known state. The state and what goes with it are written only
 * by the VM's state machine (vms/vm-states.ts), never assigned here.
 */
export interface VmRecord {
  readonly id: string;
  /** The engine that drives the guest and its connection: fixed when the guest is defined. */
  readonly engine: EngineRef;
  definition: VmDefinition;
  readonly state: VmState;
  readonly lastExit: VmExit | undefined;
  readonly createdAt: string;
  readonly startedAt: string | undefined;
  /** Tags, notes and autostart: written through `saveMeta`, never by the state machine. */
  readonly meta: VmMeta;
}

/** What the user says of a guest besides its hardware (table `vm_meta`). */
export const VmMetaSchema = VmLabelsSchema.extend({
  autostart: AutostartSchema.default({ enabled: false, order: 0, delaySec: 0 }),
});
export type VmMeta = z.output<typeof VmMetaSchema>;

/** A guest's meta before anyone set any. */
export const NO_META: VmMeta = VmMetaSchema.parse({});

/** The stored meta; a row that no longer parses (a newer version wrote it) reads as none. */
function metaOf(raw: string | null | undefined): VmMeta {
  if (raw === null || raw === undefined) return NO_META;
  const parsed = VmMetaSchema.safeParse(JSON.parse(raw));
  return parsed.success ? parsed.data : NO_META;
}

const RowSchema = z.object({
  id: z.string(),
  definition: z.string(),
  state: VmStateSchema,
  last_exit: z.string().nullable(),
  created_at: z.string(),
  started_at: z.string().nullable(),
  engine: EngineIdSchema,
  connection: z.string(),
  meta: z.string().nullable().optional(),
});

/** Each VM row with its meta (none for most). */
const SELECT = 'SELECT vms.*, vm_meta.meta AS meta FROM vms LEFT JOIN vm_meta ON vm_meta.vm_id = vms.id';

function fromRow(raw: unknown): VmRecord {
  const row = RowSchema.parse(raw);
  return {
    id: row.id,
    engine: { id: row.engine, connection: row.connection },
    definition: VmDefinitionSchema.parse(JSON.parse(row.definition)),
    state: row.state,
    lastExit: row.last_exit === null ? undefined : VmExitSchema.parse(JSON.parse(row.last_exit)),
    createdAt: row.created_at,
    startedAt: row.started_at ?? undefined,
    meta: metaOf(row.meta),
  };
}

/** VM definitions and their persisted state in SQLite. */
export class VmsRepo {
  constructor(private readonly db: Db) {}

  list(): VmRecord[] {
    return this.db.prepare(`${SELECT} ORDER BY created_at, name`).all().map(fromRow);
  }

  get(id: string): VmRecord | undefined {
    const row = this.db.prepare(`${SELECT} WHERE vms.id = ?`).get(id);
    return row === undefined ? undefined : fromRow(row);
  }

  nameTaken(name: string, exceptId?: string): boolean {
    const row = this.db.prepare('SELECT id FROM vms WHERE name = ? AND id != ?').get(name, exceptId ?? '');
    return row !== undefined;
  }

  insert(rec: VmRecord): void {
    this.db
      .prepare(
        'INSERT INTO vms (id, name, definition, state, last_exit, created_at, started_at, engine, connection) ' +
          'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        rec.id,
        rec.definition.name,
        JSON.stringify(rec.definition),
        rec.state,
        rec.lastExit ? JSON.stringify(rec.lastExit) : null,
        rec.createdAt,
        rec.startedAt ?? null,
        rec.engine.id,
        rec.engine.connection,
      );
  }

  /**
   * Persists state, last exit and start time (the definition only changes through updateDefinition). Only the
   * state machine calls this (a test checks).
   */
  saveState(rec: VmRecord): void {
    this.db
      .prepare('UPDATE vms SET state = ?, last_exit = ?, started_at = ? WHERE id = ?')
      .run(rec.state, rec.lastExit ? JSON.stringify(rec.lastExit) : null, rec.startedAt ?? null, rec.id);
  }

  updateDefinition(id: string, def: VmDefinition): void {
    this.db
      .prepare('UPDATE vms SET name = ?, definition = ? WHERE id = ?')
      .run(def.name, JSON.stringify(def), id);
  }

  /** Stores a VM's tags, notes and autostart (the whole of it). */
  saveMeta(id: string, meta: VmMeta): void {
    this.db
      .prepare('INSERT OR REPLACE INTO vm_meta (vm_id, meta) VALUES (?, ?)')
      .run(id, JSON.stringify(meta));
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM vms WHERE id = ?').run(id);
  }

  /** What was recorded when snapshot `name` of VM `id` was taken, if virtweb took it. */
  snapshotFacts(id: string, name: string): SnapshotFacts | undefined {
    const row = this.db
      .prepare('SELECT facts FROM vm_snapshots WHERE vm_id = ? AND name = ?')
      .get(id, name) as { facts: string | null } | undefined;
    return factsOf(row?.facts);
  }

  /**
   * Records snapshot `name` as just taken: its facts, its parent and description; it becomes the current one.
   * A row left by an earlier snapshot of that name (deleted outside virtweb) is replaced.
   */
  saveSnapshotFacts(id: string, name: string, facts: SnapshotFacts, note: SnapshotNote = {}): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          'INSERT OR REPLACE INTO vm_snapshots (vm_id, name, facts, parent, description) VALUES (?, ?, ?, ?, ?)',
        )
        .run(id, name, JSON.stringify(facts), note.parent ?? null, note.description ?? null);
      this.setCurrentSnapshot(id, name);
    })();
  }

  /** Each recorded snapshot's parent and description, and the guest's current snapshot. */
  snapshotTree(id: string): SnapshotTreeNotes {
    const rows = this.db
      .prepare('SELECT name, facts, parent, description FROM vm_snapshots WHERE vm_id = ?')
      .all(id) as { name: string; facts: string | null; parent: string | null; description: string | null }[];
    const notes = new Map<string, SnapshotNote>();
    for (const row of rows) {
      notes.set(row.name, {
        parent: row.parent ?? undefined,
        description: row.description ?? undefined,
        date: factsOf(row.facts)?.date,
      });
    }
    const current = this.db.prepare('SELECT name FROM vm_current_snapshot WHERE vm_id = ?').get(id) as
      { name: string } | undefined;
    return { notes, current: current?.name };
  }

  /** Sets snapshot `name`'s description ("" clears it); a snapshot virtweb did not take gets a row for it. */
  describeSnapshot(id: string, name: string, description: string): void {
    this.db
      .prepare(
        'INSERT INTO vm_snapshots (vm_id, name, description) VALUES (?, ?, ?) ' +
          'ON CONFLICT (vm_id, name) DO UPDATE SET description = excluded.description',
      )
      .run(id, name, description === '' ? null : description);
  }

  setCurrentSnapshot(id: string, name: string): void {
    this.db.prepare('INSERT OR REPLACE INTO vm_current_snapshot (vm_id, name) VALUES (?, ?)').run(id, name);
  }

  /**
   * Forgets snapshot `name`: its children get its parent (none: they become roots), and if it was current, its
   * parent becomes current (as libvirt does).
   */
  deleteSnapshotFacts(id: string, name: string): void {
    this.db.transaction(() => {
      const row = this.db
        .prepare('SELECT parent FROM vm_snapshots WHERE vm_id = ? AND name = ?')
        .get(id, name) as { parent: string | null } | undefined;
      const parent = row?.parent ?? null;
      this.db
        .prepare('UPDATE vm_snapshots SET parent = ? WHERE vm_id = ? AND parent = ?')
        .run(parent, id, name);
      if (parent === null) {
        this.db.prepare('DELETE FROM vm_current_snapshot WHERE vm_id = ? AND name = ?').run(id, name);
      } else {
        this.db
          .prepare('UPDATE vm_current_snapshot SET name = ? WHERE vm_id = ? AND name = ?')
          .run(parent, id, name);
      }
      this.db.prepare('DELETE FROM vm_snapshots WHERE vm_id = ? AND name = ?').run(id, name);
    })();
  }
}

/** The stored facts; none for a snapshot virtweb did not take, or a row a newer version wrote. */
function factsOf(raw: string | null | undefined): SnapshotFacts | undefined {
  if (raw === null || raw === undefined) return undefined;
  const parsed = SnapshotFactsSchema.safeParse(JSON.parse(raw));
  return parsed.success ? parsed.data : undefined;
}
