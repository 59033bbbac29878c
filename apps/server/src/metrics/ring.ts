/** A fixed-size ring of the newest items (1 h of 1 s samples per guest), oldest first when read. */
export class Ring<T> {
  private readonly items: (T | undefined)[];
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.items = new Array<T | undefined>(capacity);
  }

  push(item: T): void {
    this.items[this.next] = item;
    this.next = (this.next + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
  }

  get size(): number {
    return this.count;
  }

  /** The items, oldest first, that satisfy `keep` (scans from the newest and stops at the first miss). */
  newest(keep: (item: T) => boolean): T[] {
    const out: T[] = [];
    for (let i = 1; i <= this.count; i++) {
      const item = this.items[(this.next - i + this.capacity) % this.capacity];
      if (item === undefined || !keep(item)) break;
      out.push(item);
    }
    return out.reverse();
  }
}
