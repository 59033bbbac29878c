import type { ReactNode } from 'react';

interface Props {
  /** The table's accessible name (also how tests find it). */
  label: string;
  /** Column headings, left to right. */
  columns: readonly string[];
  /** The rows end in a cell of buttons: a last column headed "Actions" for screen readers only. */
  actions?: boolean;
  /** The body's rows. */
  children: ReactNode;
}

/** A list table that scrolls sideways on narrow screens: column headings, then the given rows. */
export function DataTable({ label, columns, actions, children }: Props) {
  return (
    <div className="table-wrap">
      <table aria-label={label}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
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
