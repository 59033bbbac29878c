import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { Loading, QueryError } from '../../components/QueryError.tsx';
import { StateBadge } from '../../components/StateBadge.tsx';
import { vmQuery } from '../../queries/vms.ts';
import { useDocumentTitle } from '../useDocumentTitle.ts';
import { useMovedAway } from './migrate/useMovedAway.ts';
import { VmJobArea } from './migrate/VmJobArea.tsx';
import { VmMovedAway } from './migrate/VmMovedAway.tsx';
import { VmActions } from './VmActions.tsx';
import { VmTabs } from './VmTabs.tsx';

/** One guest: lifecycle buttons, then tabs for its details and its consoles. */
export function VmPage() {
  const { id = '' } = useParams();
  const vm = useQuery(vmQuery(id));
  const movedAway = useMovedAway(id, vm.error?.status === 404);
  const navigate = useNavigate();
  useDocumentTitle(vm.data?.name ?? 'Guest');

  if (movedAway) return <VmMovedAway job={movedAway} />;
  if (vm.isPending) return <Loading what="the guest" />;
  if (vm.isError) {
    if (vm.error.status === 404) {
      return (
        <section>
          <h1>Guest not found</h1>
          <p>
            It may have been deleted. <Link to="/vms">Back to the guests</Link>
          </p>
        </section>
      );
    }
    return <QueryError what="the guest" error={vm.error} onRetry={() => void vm.refetch()} />;
  }
  const data = vm.data;
  return (
    <section aria-labelledby="vm-title">
      <p className="crumbs">
        <Link to="/vms">Guests</Link> /
      </p>
      <div className="page-head">
        <h1 id="vm-title">{data.name}</h1>
        <StateBadge state={data.state} />
      </div>
      <VmActions vm={data} onDeleted={() => void navigate('/vms', { replace: true })} />
      <VmJobArea vm={data} />
      <VmTabs vm={data} />
    </section>
  );
}
