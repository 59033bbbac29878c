import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { Loading, QueryError } from '../../components/QueryError.tsx';
import { vmsQuery } from '../../queries/vms.ts';
import { useDocumentTitle } from '../useDocumentTitle.ts';
import { PeerGuests } from './PeerGuests.tsx';
import { VmTable } from './VmTable.tsx';

/** The guests list; rows change live from the events socket. */
export function VmsPage() {
  useDocumentTitle('Guests');
  const vms = useQuery(vmsQuery());
  const hasVms = (vms.data?.length ?? 0) > 0;

  return (
    <section aria-labelledby="vms-title">
      <div className="page-head">
        <h1 id="vms-title">Guests</h1>
        {hasVms && (
          <Link className="btn btn-primary" to="/vms/new">
            New VM
          </Link>
        )}
      </div>
      {vms.isPending && <Loading what="the guests" />}
      {vms.isError && <QueryError what="the guests" error={vms.error} onRetry={() => void vms.refetch()} />}
      {vms.data && !hasVms && (
        <div className="empty">
          <h2>No guests yet</h2>
          <p>A guest is a qemu process on this host. Create one from a CD image and a disk.</p>
          <Link className="btn btn-primary" to="/vms/new">
            New VM
          </Link>
        </div>
      )}
      {vms.data && hasVms && <VmTable vms={vms.data} />}
      <PeerGuests />
    </section>
  );
}
