import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router-dom';
import { TaskQuerySchema } from '@virtweb/protocol';
import type { TaskFilters } from '../../queries/taskPages.ts';
import { tasksQuery } from '../../queries/tasks.ts';
import { vmsQuery } from '../../queries/vms.ts';
import { useDocumentTitle } from '../useDocumentTitle.ts';
import { TaskList } from './TaskList.tsx';
import { STATUSES, STATUS_WORDS } from './taskWords.ts';

const FILTER_KEYS = ['user', 'vm', 'result'] as const;
type FilterKey = (typeof FILTER_KEYS)[number];

/** The filters in the URL (`?user=&vm=&result=`), each kept only when the server would take it. */
function filtersOf(params: URLSearchParams): TaskFilters {
  const filters: TaskFilters = {};
  for (const key of FILTER_KEYS) {
    const value = params.get(key);
    if (value === null) continue;
    const parsed = TaskQuerySchema.shape[key].safeParse(value);
    if (parsed.success && parsed.data !== undefined) Object.assign(filters, { [key]: parsed.data });
  }
  return filters;
}

/** One filter: a labelled native select (keyboard-usable as it is), `''` for "all". */
function FilterSelect(props: {
  id: string;
  label: string;
  all: string;
  value: string | undefined;
  options: readonly (readonly [value: string, text: string])[];
  onChange: (value: string) => void;
}) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <select id={props.id} value={props.value ?? ''} onChange={(e) => props.onChange(e.target.value)}>
        <option value="">{props.all}</option>
        {props.options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Proxmox's task log: every action that changed something, who did it and how it ended, filtered. */
export function TasksPage() {
  useDocumentTitle('Tasks');
  const [params, setParams] = useSearchParams();
  const filters = filtersOf(params);
  const tasks = useInfiniteQuery(tasksQuery(filters));
  const vms = useQuery(vmsQuery());
  const users = tasks.data?.pages[0]?.users ?? [];
  const setFilter = (key: FilterKey, value: string) =>
    setParams(
      (p) => {
        const next = new URLSearchParams(p);
        if (value === '') next.delete(key);
        else next.set(key, value);
        return next;
      },
      { replace: true },
    );
  const vmOptions = (vms.data ?? []).map((v) => ({ id: v.id, name: v.name }));
  if (filters.vm !== undefined && !vmOptions.some((v) => v.id === filters.vm)) {
    vmOptions.push({ id: filters.vm, name: `${filters.vm} (gone)` });
  }

  return (
    <section aria-labelledby="tasks-title">
      <h1 id="tasks-title">Tasks</h1>
      <form className="task-filters" aria-label="Filter tasks" onSubmit={(e) => e.preventDefault()}>
        <FilterSelect
          id="task-filter-user"
          label="User"
          all="All users"
          value={filters.user}
          options={[...new Set([...users, ...(filters.user ? [filters.user] : [])])].map((u) => [u, u])}
          onChange={(v) => setFilter('user', v)}
        />
        <FilterSelect
          id="task-filter-vm"
          label="Guest"
          all="All guests and others"
          value={filters.vm}
          options={vmOptions.map((v) => [v.id, v.name])}
          onChange={(v) => setFilter('vm', v)}
        />
        <FilterSelect
          id="task-filter-result"
          label="Result"
          all="Any result"
          value={filters.result}
          options={STATUSES.map((st) => [st, STATUS_WORDS[st]])}
          onChange={(v) => setFilter('result', v)}
        />
        {Object.keys(filters).length > 0 && (
          <button type="button" className="btn btn-quiet" onClick={() => setParams({}, { replace: true })}>
            Clear filters
          </button>
        )}
      </form>
      <TaskList filters={filters} label="Tasks" />
    </section>
  );
}
