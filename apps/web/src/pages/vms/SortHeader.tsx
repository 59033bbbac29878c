import type { ReactNode } from 'react';
import type { SortKey } from './cpuSort.ts';

interface Props {
  sortKey: SortKey;
  current: SortKey | null;
  /** The order this column sorts in (name: A to Z, CPU: busiest first). */
  direction: 'ascending' | 'descending';
  onSort: (key: SortKey | null) => void;
  className?: string;
  children: ReactNode;
}

/**
 * A column header that sorts the table: a real button (Tab, Enter, Space), `aria-sort` on the header while
 * active; pressing it again returns to the server's order.
 */
export function SortHeader({ sortKey, current, direction, onSort, className, children }: Props) {
  const active = current === sortKey;
  return (
    <th scope="col" className={className} aria-sort={active ? direction : undefined}>
      <button
        type="button"
        className="sort-btn"
        onClick={() => onSort(active ? null : sortKey)}
        aria-pressed={active}
      >
        {children}
        <span aria-hidden="true">{active ? (direction === 'ascending' ? '▲' : '▼') : '↕'}</span>
      </button>
    </th>
  );
}
