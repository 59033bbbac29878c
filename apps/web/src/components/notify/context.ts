import { createContext, useContext } from 'react';
import type { ApiError } from '../../api/errors.ts';

export interface Notification {
  id: number;
  kind: 'success' | 'error';
  title: string;
  detail?: string;
  /** Server error code or the field details of a 400, shown small under the detail. */
  extra?: string[];
}

export interface Notify {
  success: (title: string, detail?: string) => void;
  /** Title says what failed ("Could not start web1"); the detail comes from the ApiError, never String(err). */
  error: (title: string, err: ApiError) => void;
}

export const NotifyContext = createContext<Notify | null>(null);

/** The one notification helper: toasts with a title and a detail. */
export function useNotify(): Notify {
  const notify = useContext(NotifyContext);
  if (!notify) throw new Error('useNotify() outside <NotificationsProvider>');
  return notify;
}
