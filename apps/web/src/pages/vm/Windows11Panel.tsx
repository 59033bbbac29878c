import { useQuery } from '@tanstack/react-query';
import type { Vm } from '@virtweb/protocol';
import { getWindows11Readiness } from '../../api/vms.ts';
import { QueryError } from '../../components/QueryError.tsx';
import './windows11.css';

/** Whether Windows 11 would install on the guest as defined: each requirement ✓ or ✗ with what it has. */
export function Windows11Panel({ vm }: { vm: Vm }) {
  // Asked again whenever the definition changes (a settings save, a disk attached or resized elsewhere).
  const definition = JSON.stringify([
    vm.firmware,
    vm.machine,
    vm.memoryMiB,
    vm.vcpus,
    vm.devices.tpm,
    vm.disks,
  ]);
  const readiness = useQuery({
    queryKey: ['vms', 'windows11', vm.id, definition],
    queryFn: () => getWindows11Readiness(vm.id),
  });
  const r = readiness.data;
  return (
    <section className="panel" aria-labelledby="windows11-title">
      <h2 id="windows11-title">Windows 11 readiness</h2>
      {readiness.error ? (
        <QueryError
          what="the Windows 11 check"
          error={readiness.error}
          onRetry={() => void readiness.refetch()}
        />
      ) : r ? (
        <>
          <p className={r.ready ? 'readiness-summary ready' : 'readiness-summary'}>
            {r.ready
              ? 'Ready: this guest has what Windows 11 asks for.'
              : 'Not ready: Windows 11 setup will refuse this guest. Change what is marked ✗ in Settings (applies at the next start).'}
          </p>
          <ul className="plain" aria-label="Windows 11 requirements">
            {r.checks.map((c) => (
              <li key={c.id} className={c.pass ? 'readiness-item pass' : 'readiness-item fail'}>
                <span className="readiness-mark" aria-hidden="true">
                  {c.pass ? '✓' : '✗'}
                </span>
                <span className="visually-hidden">{c.pass ? 'passes:' : 'lacks:'}</span> {c.label}{' '}
                <span className="muted">({c.has})</span>
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p className="muted">Checking…</p>
      )}
    </section>
  );
}
