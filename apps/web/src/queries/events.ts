import { useEffect, useState, useSyncExternalStore } from 'react';
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { ServerEvent } from '@virtweb/protocol';
import { EventsConnection, type ConnectionStatus } from '../api/events.ts';
import { markVmEvent } from './eventClock.ts';
import { storeGuestAgent } from './guestAgent.ts';
import { imagesKey, storeImageProgress } from './images.ts';
import { liveMetrics } from './liveMetrics.ts';
import { migrationKeys, storeMigrationJob } from './migrations.ts';
import { networkKeys } from './networks.ts';
import { storePeers } from './peers.ts';
import { noteServerBack } from './serverLink.ts';
import { sessionKey } from './session.ts';
import { storeTask, taskKeys } from './tasks.ts';
import { dropVm, storeVm, vmKeys } from './vms.ts';
import { storeStorageJob } from './vmStorage.ts';

/**
 * Refetches the image list even when no page shows it: a fetch already on its way would otherwise land after
 * the invalidation with the list from before the change, and stay as if fresh.
 */
function refetchImages(client: QueryClient): void {
  void client.invalidateQueries({ queryKey: imagesKey, refetchType: 'all' });
}

/** Applies one server event to the react-query caches. */
export function applyEvent(client: QueryClient, event: ServerEvent): void {
  switch (event.type) {
    case 'vm.updated':
      markVmEvent(event.vm.id);
      storeVm(client, event.vm);
      return;
    case 'vm.deleted':
      markVmEvent(event.id);
      dropVm(client, event.id);
      refetchImages(client);
      return;
    case 'images.changed':
      refetchImages(client);
      return;
    case 'image.progress':
      storeImageProgress(client, event);
      return;
    case 'vm.agent':
      storeGuestAgent(client, event.id, event.agent);
      return;
    case 'vm.storage-job':
      storeStorageJob(client, event.id, event.job);
      return;
    case 'metrics.tick':
      liveMetrics.push(event);
      return;
    case 'peers.changed':
      storePeers(client, event.peers);
      return;
    case 'migration.updated':
      storeMigrationJob(client, event.job);
      return;
    case 'task.updated':
      storeTask(client, event.task);
      return;
    case 'networks.changed':
      void client.invalidateQueries({ queryKey: networkKeys.all });
      return;
    case 'hello':
    case 'vm.qmp-event':
      return;
  }
}

/**
 * Keeps the caches live from the events socket while mounted (inside the logged-in layout) and returns
 * the socket's status for the connection indicator.
 */
export function useEventsSync(): { status: ConnectionStatus; retryNow: () => void } {
  const client = useQueryClient();
  const [connection] = useState(
    () =>
      new EventsConnection({
        onEvent: (event) => applyEvent(client, event),
        // Events may have been missed while disconnected: refetch what the socket keeps fresh. After a
        // drop the server may have restarted: everything is refetched, and consoles that gave up retry.
        onOpen: (reconnected) => {
          if (reconnected) {
            void client.invalidateQueries();
            noteServerBack();
            return;
          }
          void client.invalidateQueries({ queryKey: vmKeys.all });
          void client.invalidateQueries({ queryKey: imagesKey });
          void client.invalidateQueries({ queryKey: migrationKeys.jobs });
          void client.invalidateQueries({ queryKey: taskKeys.all });
        },
        // A 401 handshake looks like any drop: ask the server whether the session still exists.
        onDrop: () => void client.invalidateQueries({ queryKey: sessionKey }),
      }),
  );
  useEffect(() => {
    connection.start();
    return () => {
      connection.stop();
      liveMetrics.clear();
    };
  }, [connection]);
  const status = useSyncExternalStore(connection.subscribe, connection.getStatus);
  return { status, retryNow: connection.retryNow };
}
