import { useEffect, useState, type SubmitEvent } from 'react';
import { Link } from 'react-router-dom';
import { useQuery } from '@tanstack/react-query';
import type { Peer, Vm } from '@virtweb/protocol';
import { Loading, QueryError } from '../../../components/QueryError.tsx';
import { useNotify } from '../../../components/notify/context.ts';
import { useMigrateVm, useMigrationCheck } from '../../../queries/migrations.ts';
import { peersQuery } from '../../../queries/peers.ts';
import { healthText, memoryText } from '../../peers/peerWords.ts';
import { CheckboxField } from '../../../components/CheckboxField.tsx';
import { DialogFormButtons } from '../../../components/FormButtons.tsx';
import { RadioGroup, type RadioOption } from '../../../components/RadioGroup.tsx';
import { MigrationChecks } from './MigrationChecks.tsx';
import { MigrationOptionsFields } from './MigrationOptionsFields.tsx';
import { initialMigrate, migrateRequest, refusalText, type MigrateValues } from './migrateValues.ts';
import { isLiveMove } from './migrateStates.ts';

/** Changes settle this long before the server checks them again (typing a number, ticking boxes). */
const CHECK_DELAY_MS = 350;

function peerOption(p: Peer): RadioOption<string> {
  const health = healthText(p.health);
  if (p.health.status !== 'ok') {
    return {
      value: p.id,
      label: p.name,
      disabledReason: p.health.message ? `${health}: ${p.health.message}` : health,
    };
  }
  const c = p.capacity;
  const hint = c
    ? `${health} · ${memoryText(c.guestMemoryBytes, c.memoryBytes)} · qemu ${c.qemuVersion}`
    : health;
  return { value: p.id, label: p.name, hint };
}

/** `value` once it has not changed for `ms` (the check is a round trip to the peer). */
function useSettled(value: string, ms: number): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** The migrate dialog's body: target host, storage and options, the server's checks, then Migrate. */
export function MigrateForm({ vm, onClose }: { vm: Vm; onClose: () => void }) {
  const [picked, setValues] = useState<MigrateValues>(() => initialMigrate());
  const [refusal, setRefusal] = useState<string[] | null>(null);
  const peers = useQuery(peersQuery());
  // With a single healthy peer there is nothing to pick: it is chosen (and checked) at once.
  const healthy = (peers.data ?? []).filter((p) => p.health.status === 'ok');
  const onlyPeer = healthy.length === 1 ? (healthy[0]?.id ?? '') : '';
  const values = {
    ...picked,
    peer: picked.peer === '' ? onlyPeer : picked.peer,
    tcgGuest: vm.activeAccel === 'tcg',
  };
  const migrate = useMigrateVm(vm.id);
  const notify = useNotify();
  const live = isLiveMove(vm.state);

  const draft = migrateRequest(values);
  const draftKey = JSON.stringify(draft);
  const settled = useSettled(draftKey, CHECK_DELAY_MS) === draftKey;
  const check = useMigrationCheck(vm.id, vm.state, draft.ok && settled ? draft.request : null);
  const checking = check.isFetching || (draft.ok && !settled);
  const allOk = draft.ok && settled && !checking && check.data !== undefined && check.data.every((c) => c.ok);

  const change = (patch: Partial<MigrateValues>) => {
    setValues((v) => ({ ...v, peer: values.peer, ...patch }));
    setRefusal(null);
  };

  const submit = (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (!draft.ok || !allOk) return;
    migrate.mutate(draft.request, {
      onSuccess: (job) => {
        notify.success(`${live ? 'Migrating' : 'Moving'} ${vm.name} to ${job.targetName}`);
        onClose();
      },
      onError: (err) => {
        setRefusal(refusalText(err));
        void check.refetch();
      },
    });
  };

  if (peers.isPending) return <Loading what="the peers" />;
  if (peers.isError) {
    return <QueryError what="the peers" error={peers.error} onRetry={() => void peers.refetch()} />;
  }
  if (peers.data.length === 0) {
    return (
      <div className="empty migrate-empty">
        <p>
          There is no other host to move {vm.name} to. <Link to="/peers">Add a peer</Link> (another virtweb
          server) first.
        </p>
        <div className="confirm-buttons">
          <button type="button" className="btn" onClick={onClose}>
            Close
          </button>
        </div>
      </div>
    );
  }

  return (
    <form className="form migrate-form" onSubmit={submit} noValidate aria-label={`Migrate ${vm.name}`}>
      <p className="muted">
        {live
          ? `${vm.name} keeps running while its memory is copied; it pauses only for the last pass.`
          : `${vm.name} is not running: its definition (and, with "copy storage", its disks) move to the host.`}
      </p>
      <RadioGroup
        legend="Target host"
        value={values.peer}
        options={peers.data.map(peerOption)}
        onChange={(peer) => change({ peer })}
      />
      <CheckboxField
        label="Copy storage"
        hint="Copy the disks to the target. Needed unless both hosts use one image store (shared storage); the checks below say which. The disks here stay, marked as old copies."
        checked={values.copyStorage}
        onChange={(copyStorage) => change({ copyStorage })}
      />
      <CheckboxField
        label="Keep the definition here"
        hint="Leave the stopped definition on this host afterwards (do not start it while the guest runs there)."
        checked={values.keepDefinition}
        onChange={(keepDefinition) => change({ keepDefinition })}
      />
      {live && (
        <MigrationOptionsFields values={values} errors={draft.ok ? {} : draft.errors} onChange={change} />
      )}
      <MigrationChecks
        checks={draft.ok && settled ? check.data : undefined}
        checking={checking}
        error={check.error}
        idle={values.peer === '' ? 'Pick a host to check.' : 'Correct the options to check again.'}
      />
      {refusal && (
        <div className="form-error" role="alert">
          <p>The server refused the migration:</p>
          <ul>
            {refusal.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        </div>
      )}
      <DialogFormButtons
        onCancel={onClose}
        label={live ? 'Migrate' : 'Move'}
        busy={migrate.isPending}
        disabled={!allOk}
      />
    </form>
  );
}
