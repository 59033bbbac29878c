import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { Vm } from '@virtweb/protocol';
import { Loading, QueryError } from '../../../components/QueryError.tsx';
import { commandLineQuery } from '../../../queries/vmConfig.ts';
import { shellLines } from '../process/shellQuote.ts';
import { configSignature } from './settingsValues.ts';

/**
 * The qemu command line the next start runs, from the stored configuration (saved settings, not the form's
 * edits), in a fold; fetched when first opened and again whenever the configuration changes.
 */
export function NextCommandLine({ vm }: { vm: Vm }) {
  const [open, setOpen] = useState(false);
  const cmd = useQuery({ ...commandLineQuery(vm.id, configSignature(vm)), enabled: open });
  return (
    <details className="panel settings-cmdline" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>qemu command line of the next start</summary>
      {open && cmd.isPending && <Loading what="the command line" />}
      {cmd.isError && (
        <QueryError what="the command line" error={cmd.error} onRetry={() => void cmd.refetch()} />
      )}
      {cmd.data && (
        <>
          <p className="muted small">
            Accelerator: {cmd.data.accel === 'kvm' ? 'KVM' : 'TCG'}
            {cmd.data.accelReason ? ` (${cmd.data.accelReason})` : ''}
          </p>
          {cmd.data.notes.length > 0 && (
            <ul className="settings-notes">
              {cmd.data.notes.map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
          )}
          <pre className="cmdline" tabIndex={0} aria-label="qemu command line of the next start">
            {shellLines(cmd.data.argv)}
          </pre>
        </>
      )}
    </details>
  );
}
