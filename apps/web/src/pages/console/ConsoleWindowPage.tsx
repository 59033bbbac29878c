import { Suspense, lazy } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useParams } from 'react-router-dom';
import { consolePhase } from '../../components/console/useConsoleSession.ts';
import { Loading, QueryError } from '../../components/QueryError.tsx';
import { useEventsSync } from '../../queries/events.ts';
import { vmQuery } from '../../queries/vms.ts';
import { useDocumentTitle } from '../useDocumentTitle.ts';
import './console-window.css';

const VncConsole = lazy(() =>
  import('../../components/console/VncConsole.tsx').then((m) => ({ default: m.VncConsole })),
);

/**
 * A guest's screen alone in a window (virt-manager's console window, Proxmox's pop-out): no header, the
 * screen fills the window and follows the guest's state (its own events connection).
 */
export function ConsoleWindowPage() {
  const { id = '' } = useParams();
  const vm = useQuery(vmQuery(id));
  useEventsSync();
  const name = vm.data?.name ?? 'guest';
  useDocumentTitle(`Screen of ${name}`);
  return (
    <main id="main" className="console-window" aria-label={`Screen of ${name}`}>
      <h1 className="visually-hidden">Screen of {name}</h1>
      {vm.isPending && <Loading what="the guest" />}
      {vm.isError && (
        <QueryError
          what="the guest"
          error={vm.error}
          onRetry={vm.error.status === 404 ? undefined : () => void vm.refetch()}
        />
      )}
      {vm.data && (
        <Suspense fallback={<Loading what="the screen" />}>
          <VncConsole
            key={vm.data.id}
            vmId={vm.data.id}
            vmName={vm.data.name}
            phase={consolePhase(vm.data.state)}
            generation={vm.data.startedAt ?? ''}
            variant="window"
          />
        </Suspense>
      )}
    </main>
  );
}
