import { useId, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { DisabledReason, disabledReasonProps } from '../../components/DisabledReason.tsx';
import { Loading, QueryError } from '../../components/QueryError.tsx';
import { useRoleGate } from '../../queries/role.ts';
import { vmsQuery } from '../../queries/vms.ts';
import { useDocumentTitle } from '../useDocumentTitle.ts';
import { BulkActions } from './BulkActions.tsx';
import { ConnectionGuests } from './ConnectionGuests.tsx';
import { matchesFilter } from './guestFilter.ts';
import { HostSummary } from './HostSummary.tsx';
import { PeerGuests } from './PeerGuests.tsx';
import { VmTable } from './VmTable.tsx';
import './guests.css';

/** The guests list: the host at a glance, a filter, bulk actions; rows change live from the events socket. */
export function VmsPage() {
  useDocumentTitle('Guests');
  const vms = useQuery(vmsQuery());
  const [filter, setFilter] = useState('');
  const [selectedIds, setSelectedIds] = useState<ReadonlySet<string>>(new Set());
  const all = vms.data ?? [];
  const hasVms = all.length > 0;
  const shown = all.filter((v) => matchesFilter(v, filter));
  // Only what is shown stays selected: a filter never hides a guest a bulk action would touch.
  const selected = shown.filter((v) => selectedIds.has(v.id));

  return (
    <section aria-labelledby="vms-title">
      <div className="page-head">
        <h1 id="vms-title">Guests</h1>
        {hasVms && <NewVmLink />}
      </div>
      <HostSummary vms={all} />
      {vms.isPending && <Loading what="the guests" />}
      {vms.isError && <QueryError what="the guests" error={vms.error} onRetry={() => void vms.refetch()} />}
      {vms.data && !hasVms && (
        <div className="empty">
          <h2>No guests yet</h2>
          <p>A guest is a qemu process on this host. Create one from a CD image and a disk.</p>
          <NewVmLink />
        </div>
      )}
      {hasVms && (
        <>
          <div className="guests-toolbar">
            <label className="guests-filter">
              <span>Filter</span>
              <input
                type="search"
                value={filter}
                placeholder="name, tag, state… (tag:web, state:running)"
                onChange={(e) => setFilter(e.target.value)}
              />
            </label>
            {selected.length > 0 && (
              <BulkActions selected={selected} onDone={() => setSelectedIds(new Set())} />
            )}
          </div>
          {shown.length === 0 ? (
            <p className="empty" role="status">
              No guest matches “{filter}”.
            </p>
          ) : (
            <VmTable vms={shown} selected={new Set(selected.map((v) => v.id))} onSelect={setSelectedIds} />
          )}
        </>
      )}
      <ConnectionGuests />
      <PeerGuests />
    </section>
  );
}

/** "New VM", or for a read user the same button disabled, saying which role it needs. */
function NewVmLink() {
  const role = useRoleGate('operate');
  const reasonId = useId();
  if (role.allowed)
    return (
      <Link className="btn btn-primary" to="/vms/new">
        New VM
      </Link>
    );
  return (
    <>
      <button
        type="button"
        className="btn btn-primary"
        disabled
        {...disabledReasonProps(reasonId, true, role.reason)}
      >
        New VM
      </button>
      <DisabledReason id={reasonId} disabled reason={role.reason} />
    </>
  );
}
