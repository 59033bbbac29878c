import { useRef, type ReactNode } from 'react';
import { useCardLabels } from './useCardLabels.ts';

/** A column heading: its text, or its text over a right-aligned column of numbers. */
export type Column = string | { heading: string; numeric: true };

/** The table's accessible name: given here, or the id of a heading that names it. */
type Name = { label: string; labelledBy?: never } | { labelledBy: string; label?: never };

type Props = Name & {
  /** Column headings, left to right. */
  columns: readonly Column[];
  /** The rows end in a cell of buttons: a last column headed "Actions" for screen readers only. */
  actions?: boolean;
  /** The body's rows. */
  children: ReactNode;
  /** The rows form a tree the arrow keys walk (WAI-ARIA tree grid): the rows carry aria-level and the keys. */
  treegrid?: boolean;
};

/** A list table, one card per row on narrow screens: column headings, then the given rows. */
export function DataTable({ label, labelledBy, columns, actions, children, treegrid }: Props) {
  const table = useRef<HTMLTableElement>(null);
  useCardLabels(table);
  return (
    <div className="table-wrap">
      <table
        ref={table}
        className="cards"
        role={treegrid ? 'treegrid' : undefined}
        aria-label={label}
        aria-labelledby={labelledBy}
      >
        <thead>
          <tr>
            {columns.map((c) =>
              typeof c === 'string' ? (
                <th key={c} scope="col">
                  {c}
                </th>
              ) : (
                <th key={c.heading} scope="col" className="num">
                  {c.heading}
                </th>
              ),
            )}
            {actions && (
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
