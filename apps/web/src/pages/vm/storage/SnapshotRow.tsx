import type { KeyboardEvent } from 'react';
import { formatBytes, type Vm } from '@virtweb/protocol';
import { timeLabel } from '../../vmFormat.ts';
import { DeleteSnapshotBtn } from './DeleteSnapshotBtn.tsx';
import { DescribeSnapshotBtn } from './DescribeSnapshotBtn.tsx';
import { RevertSnapshotBtn } from './RevertSnapshotBtn.tsx';
import type { VisibleRow } from './snapshotTree.ts';

interface Props {
  vm: Vm;
  row: VisibleRow;
  expanded: boolean;
  /** The row the tree grid's Tab stop is on (the others are reached with the arrow keys). */
  active: boolean;
  onToggle: () => void;
  onKeyDown: (e: KeyboardEvent<HTMLTableRowElement>) => void;
  onFocus: () => void;
}

/**
 * One snapshot, indented under its parent; the current one says so in words, not only by its look. A row with
 * children folds them away (the arrow keys on the row, or a click on its triangle).
 */
export function SnapshotRow({ vm, row, expanded, active, onToggle, onKeyDown, onFocus }: Props) {
  const { snapshot, depth, hasChildren } = row;
  const slots = snapshot.disks.join(', ');
  return (
    <tr
      className={snapshot.current ? 'snapshot-current' : undefined}
      data-depth={depth}
      data-snapshot={snapshot.name}
      aria-level={depth + 1}
      aria-expanded={hasChildren ? expanded : undefined}
      tabIndex={active ? 0 : -1}
      onKeyDown={onKeyDown}
      onFocus={(e) => {
        if (e.target === e.currentTarget) onFocus();
      }}
    >
      <th scope="row">
        <span className="snapshot-name" style={{ paddingInlineStart: `${depth * 1.25}rem` }}>
          {/* The row itself is the control for keyboards and screen readers (aria-expanded); this is for the mouse. */}
          {hasChildren && (
            <span className="snapshot-toggle" aria-hidden="true" onClick={onToggle}>
              {expanded ? '▾' : '▸'}
            </span>
          )}
          {depth > 0 && <span aria-hidden="true">↳ </span>}
          {snapshot.name}
          {snapshot.parent !== undefined && (
            <span className="visually-hidden"> (child of {snapshot.parent})</span>
          )}
          {snapshot.current && <span className="badge snapshot-current-badge">current</span>}
        </span>
      </th>
      <td>{snapshot.description ?? <span className="muted">—</span>}</td>
      <td>{timeLabel(snapshot.date)}</td>
      <td>
        {snapshot.withRam ? 'disks and RAM' : 'disks only'} <span className="muted">(disk {slots})</span>
      </td>
      <td className="num">{snapshot.withRam ? formatBytes(snapshot.vmStateSize) : '—'}</td>
      <td>
        <div className="actions">
          <DescribeSnapshotBtn vm={vm} snapshot={snapshot} />
          <RevertSnapshotBtn vm={vm} snapshot={snapshot} />
          <DeleteSnapshotBtn vm={vm} snapshot={snapshot} />
        </div>
      </td>
    </tr>
  );
}
