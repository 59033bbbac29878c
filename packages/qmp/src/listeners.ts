// Listener registry behind QmpClient.on/once/off: untyped here, typed by the client's overloads.

/** Any listener; `never` lets every typed listener signature be stored. */
export type Listener = (arg: never) => void;

export class Listeners {
  readonly #byName = new Map<string, { fn: Listener; once: boolean }[]>();

  add(name: string, fn: Listener, once: boolean): void {
    const entries = this.#byName.get(name);
    if (entries) entries.push({ fn, once });
    else this.#byName.set(name, [{ fn, once }]);
  }

  /** Removes the most recently added registration of `fn`, as EventEmitter does. */
  remove(name: string, fn: Listener): void {
    const entries = this.#byName.get(name);
    const index = entries?.findLastIndex((entry) => entry.fn === fn) ?? -1;
    if (index !== -1) entries?.splice(index, 1);
  }

  emit(name: string, arg: unknown): void {
    const entries = this.#byName.get(name);
    if (!entries) return;
    for (const entry of [...entries]) {
      if (entry.once) this.remove(name, entry.fn);
      try {
        (entry.fn as (a: unknown) => void)(arg);
      } catch (err) {
        // A throwing listener must not abort the caller's line processing; surface it as EventEmitter would.
        process.nextTick(() => {
          throw err;
        });
      }
    }
  }

  clear(): void {
    this.#byName.clear();
  }
}
