import { useQuery } from '@tanstack/react-query';
import { PROCESS_STATES, type Vm, type VmProcess } from '@virtweb/protocol';
import { SendSignalBtn } from '../../../actions/SendSignalBtn.tsx';
import { Loading, QueryError } from '../../../components/QueryError.tsx';
import { vmProcessQuery } from '../../../queries/process.ts';
import { timeLabel } from '../../vmFormat.ts';
import { CommandLine } from './CommandLine.tsx';
import { QemuLog } from './QemuLog.tsx';
import { VcpuThreads } from './VcpuThreads.tsx';
import './process.css';

function ProcessFacts({ vm, proc }: { vm: Vm; proc: VmProcess }) {
  return (
    <section className="panel" aria-labelledby="proc-title">
      <h2 id="proc-title">Process</h2>
      <dl className="facts">
        <dt>PID</dt>
        <dd>{proc.pid}</dd>
        <dt>Process state</dt>
        <dd>{proc.state}</dd>
        <dt>Started</dt>
        <dd>{timeLabel(proc.startedAt)}</dd>
        <dt>Open files</dt>
        <dd>
          {proc.openFiles} <span className="muted">(ls /proc/{proc.pid}/fd)</span>
        </dd>
      </dl>
      <h3>Send a signal</h3>
      <SendSignalBtn vm={vm} pid={proc.pid} />
    </section>
  );
}

function Sockets({ sockets }: { sockets: VmProcess['sockets'] }) {
  return (
    <section className="panel" aria-labelledby="sockets-title">
      <h2 id="sockets-title">Sockets</h2>
      <p className="muted small">
        qemu listens on unix sockets only; virtweb reaches the guest through them.
      </p>
      <ul className="plain sockets">
        {sockets.map((s) => (
          <li key={s.path}>
            <span className={s.present ? 'sock-dot sock-on' : 'sock-dot'} aria-hidden="true" />
            <strong>{s.name}</strong> <code>{s.path}</code>{' '}
            <span className="muted small">{s.present ? 'listening' : 'missing'}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function LiveProcess({ vm }: { vm: Vm }) {
  const proc = useQuery(vmProcessQuery(vm.id, `${vm.startedAt ?? ''}/${vm.state}`));
  if (proc.isPending) return <Loading what="the qemu process" />;
  if (proc.isError)
    return <QueryError what="the qemu process" error={proc.error} onRetry={() => void proc.refetch()} />;
  return (
    <>
      <div className="columns">
        <ProcessFacts vm={vm} proc={proc.data} />
        <Sockets sockets={proc.data.sockets} />
      </div>
      <CommandLine argv={proc.data.cmdline} />
      <VcpuThreads vmId={vm.id} threads={proc.data.threads} />
    </>
  );
}

/**
 * The guest as a host process: pid, state, command line, vCPU threads with their CPU, sockets, the qemu
 * log, and signals. When the process is gone, how it ended.
 */
export function ProcessTab({ vm }: { vm: Vm }) {
  const live = PROCESS_STATES.includes(vm.state);
  return (
    <div className="process-tab">
      {live ? (
        <LiveProcess vm={vm} />
      ) : (
        <div className={vm.state === 'crashed' ? 'panel panel-error' : 'panel'} role="status">
          <h2>No qemu process</h2>
          <p>
            The guest is <strong>{vm.state}</strong>
            {vm.lastExit ? `: ${vm.lastExit.reason}` : ''}
            {vm.lastExit ? ` (${timeLabel(vm.lastExit.at)}).` : '.'} Start it to see its process.
          </p>
        </div>
      )}
      <QemuLog key={vm.startedAt ?? 'none'} vmId={vm.id} />
    </div>
  );
}
