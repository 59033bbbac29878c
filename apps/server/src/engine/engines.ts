import { ErrorCode, type EngineRef } from '@virtweb/protocol';
import { Conflict } from '../domain/errors.ts';
import type { Engine } from './engine.ts';

/** The engines this server drives guests with; a guest's record says which one is its own. */
export class Engines {
  readonly default: Engine;
  private readonly byRef: Map<string, Engine>;

  constructor(all: readonly [Engine, ...Engine[]]) {
    this.default = all[0];
    this.byRef = new Map(all.map((e) => [keyOf(refOf(e)), e]));
  }

  /** The engine of a guest. @throws Conflict when this server has no such engine or connection (any more). */
  of(ref: EngineRef): Engine {
    const found = this.find(ref);
    if (!found) {
      throw new Conflict(
        ErrorCode.conflict,
        `this server has no engine ${ref.id} for ${ref.connection}: the guest cannot be reached`,
      );
    }
    return found;
  }

  /** The engine of a guest, if this server has it. */
  find(ref: EngineRef): Engine | undefined {
    return this.byRef.get(keyOf(ref));
  }

  /** Adds the engine of a new connection. */
  add(engine: Engine): void {
    this.byRef.set(keyOf(refOf(engine)), engine);
  }

  /** Drops the engine of a removed connection: its guests are answered 409 from then on. */
  remove(ref: EngineRef): void {
    if (ref.id !== this.default.id || ref.connection !== this.default.connection)
      this.byRef.delete(keyOf(ref));
  }
}

/** How a record names an engine. */
export const refOf = (engine: Engine): EngineRef => ({ id: engine.id, connection: engine.connection });

const keyOf = (ref: EngineRef): string => `${ref.id} ${ref.connection}`;
