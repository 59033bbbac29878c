import { useInfiniteQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import type { Task } from '@virtweb/protocol';
import { DataTable } from '../../components/DataTable.tsx';
import { Loading, QueryError } from '../../components/QueryError.tsx';
import type { TaskFilters } from '../../queries/taskPages.ts';
import { tasksQuery } from '../../queries/tasks.ts';
import { TaskStatusCell } from './TaskStatusCell.tsx';
import { formatDuration, whoWords } from './taskWords.ts';
import './tasks.css';

const COLUMNS = [
  'Started',
  'Operation',
  'Target',
  'User',
  'From',
  'Result',
  { heading: 'Duration', numeric: true },
] as const;

function TargetCell({ task, linkVms }: { task: Task; linkVms: boolean }) {
  const text = task.target ?? '—';
  if (!linkVms || task.vmId === undefined) return <>{text}</>;
  return <Link to={`/vms/${task.vmId}?tab=tasks`}>{text}</Link>;
}

/**
 * The task log with these filters, newest first, live from the events socket; older entries a page at a time.
 * `linkVms`: targets that are guests link to their Tasks tab (off on a guest's own tab).
 */
export function TaskList({
  filters,
  linkVms = true,
  label,
}: {
  filters: TaskFilters;
  linkVms?: boolean;
  label: string;
}) {
  const tasks = useInfiniteQuery(tasksQuery(filters));
  if (tasks.isPending) return <Loading what="the tasks" />;
  if (tasks.isError) {
    return <QueryError what="the tasks" error={tasks.error} onRetry={() => void tasks.refetch()} />;
  }
  const rows = tasks.data.pages.flatMap((p) => p.tasks);
  const filtered = Object.keys(filters).length > 0;
  if (rows.length === 0) {
    return (
      <p className="empty" role="status">
        {filtered ? 'No tasks match these filters.' : 'No tasks yet: what changes something shows here.'}
      </p>
    );
  }
  return (
    <>
      <DataTable label={label} columns={COLUMNS}>
        {rows.map((t) => (
          <tr key={t.id} data-testid="task-row">
            <td>
              <time dateTime={t.startedAt}>{new Date(t.startedAt).toLocaleString()}</time>
            </td>
            <td>
              <code>{t.op}</code>
            </td>
            <td>
              <TargetCell task={t} linkVms={linkVms} />
            </td>
            <td>{whoWords(t)}</td>
            <td>{t.client}</td>
            <td>
              <TaskStatusCell task={t} />
            </td>
            <td className="num">{t.durationMs === undefined ? '' : formatDuration(t.durationMs)}</td>
          </tr>
        ))}
      </DataTable>
      {tasks.hasNextPage && (
        <button
          type="button"
          className="btn"
          disabled={tasks.isFetchingNextPage}
          onClick={() => void tasks.fetchNextPage()}
        >
          {tasks.isFetchingNextPage ? 'Loading older tasks…' : 'Show older tasks'}
        </button>
      )}
    </>
  );
}
