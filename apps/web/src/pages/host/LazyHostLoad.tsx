import { Suspense, lazy } from 'react';
import { Loading } from '../../components/QueryError.tsx';

// The charts (uPlot) load with the first page that shows them, not with the app.
const HostLoad = lazy(() => import('./HostLoad.tsx').then((m) => ({ default: m.HostLoad })));

/** The host's load section, loaded on demand. */
export function LazyHostLoad() {
  return (
    <Suspense fallback={<Loading what="the host load" />}>
      <HostLoad />
    </Suspense>
  );
}
