import { useEffect, useRef } from 'react';
import { useBlocker, type Blocker } from 'react-router-dom';

export interface LeaveGuard {
  /** `blocked` while a navigation away waits for the user's answer (`proceed()` or `reset()`). */
  blocker: Blocker;
  /** Lets the next navigation pass unasked (the work was saved: a create succeeded). */
  release: () => void;
}

/**
 * Asks before the page is left while `active`: a link, Back or Forward to another page is held (the caller
 * shows a dialog for `blocker`), and a reload or closing the tab gets the browser's own question.
 */
export function useLeaveGuard(active: boolean): LeaveGuard {
  const released = useRef(false);
  const blocker = useBlocker(
    ({ currentLocation, nextLocation }) =>
      active && !released.current && currentLocation.pathname !== nextLocation.pathname,
  );

  useEffect(() => {
    if (!active) return;
    const ask = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', ask);
    return () => window.removeEventListener('beforeunload', ask);
  }, [active]);

  return {
    blocker,
    release: () => {
      released.current = true;
    },
  };
}
