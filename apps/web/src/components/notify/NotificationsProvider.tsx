import { useCallback, useMemo, useRef, useState, type ReactNode } from 'react';
import type { ApiError } from '../../api/errors.ts';
import { NotifyContext, type Notification, type Notify } from './context.ts';
import './toasts.css';

const SUCCESS_MS = 5_000;
const MAX_VISIBLE = 5;

function errorExtra(err: ApiError): string[] {
  const extra = err.details.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message));
  if (err.status > 0) extra.push(`${err.status} ${err.code}`);
  else extra.push(err.code);
  return extra;
}

/** Holds the toasts and renders them in a live region; errors stay until dismissed. */
export function NotificationsProvider({ children }: { children: ReactNode }) {
  const [items, setItems] = useState<Notification[]>([]);
  const nextId = useRef(1);

  const dismiss = useCallback((id: number) => setItems((list) => list.filter((n) => n.id !== id)), []);

  const push = useCallback(
    (n: Omit<Notification, 'id'>) => {
      const id = nextId.current++;
      setItems((list) => [...list, { ...n, id }].slice(-MAX_VISIBLE));
      if (n.kind === 'success') setTimeout(() => dismiss(id), SUCCESS_MS);
    },
    [dismiss],
  );

  const notify = useMemo<Notify>(
    () => ({
      success: (title, detail) => push({ kind: 'success', title, ...(detail ? { detail } : {}) }),
      error: (title, err) => push({ kind: 'error', title, detail: err.message, extra: errorExtra(err) }),
    }),
    [push],
  );

  return (
    <NotifyContext value={notify}>
      {children}
      <section className="toasts" aria-label="Notifications">
        {items.map((n) => (
          <div key={n.id} className={`toast toast-${n.kind}`} role={n.kind === 'error' ? 'alert' : 'status'}>
            <div className="toast-body">
              <strong className="toast-title">{n.title}</strong>
              {n.detail && <p className="toast-detail">{n.detail}</p>}
              {n.extra && n.extra.length > 0 && (
                <ul className="toast-extra">
                  {n.extra.map((line) => (
                    <li key={line}>{line}</li>
                  ))}
                </ul>
              )}
            </div>
            <button type="button" className="toast-close" aria-label="Dismiss" onClick={() => dismiss(n.id)}>
              ×
            </button>
          </div>
        ))}
      </section>
    </NotifyContext>
  );
}
