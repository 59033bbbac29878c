import { useQuery } from '@tanstack/react-query';
import { formatBytes } from '@virtweb/protocol';
import { Loading, QueryError } from '../../components/QueryError.tsx';
import { hostQuery } from '../../queries/host.ts';
import { useDocumentTitle } from '../useDocumentTitle.ts';
import { LazyHostLoad } from './LazyHostLoad.tsx';
import { ServerNameForm } from './ServerNameForm.tsx';
import { TlsPanel } from './TlsPanel.tsx';
import { accelText, cpuFlagText, devKvmText, effectiveAuto, probeText, qemuUserText } from './hostWords.ts';
import './host.css';

/** The capability check in plain words: can this host run guests with KVM, and what does `auto` pick. */
export function HostPage() {
  useDocumentTitle('Host');
  const host = useQuery(hostQuery());
  if (host.isPending) return <Loading what="the host" />;
  if (host.isError)
    return <QueryError what="the host" error={host.error} onRetry={() => void host.refetch()} />;
  const h = host.data;
  const { kvm } = h.accel;
  const auto = effectiveAuto(h);
  const confinement = h.qemu.confinement;

  return (
    <section aria-labelledby="host-title">
      <h1 id="host-title">Host {h.name ?? h.hostname}</h1>
      {confinement?.problem !== undefined && (
        <div className="panel panel-error" role="alert">
          <strong>Guests cannot start.</strong>
          <p>{confinement.problem}</p>
        </div>
      )}
      <div className={auto.accel === 'kvm' ? 'panel verdict verdict-kvm' : 'panel verdict verdict-tcg'}>
        <h2>Accelerator for new guests (auto)</h2>
        <p className="verdict-main">{accelText(auto.accel)}</p>
        <p>Why: {auto.why}</p>
      </div>
      <div className="columns">
        <div className="panel">
          <h2>Hardware virtualization</h2>
          <dl className="facts">
            <dt>CPU virtualization flag</dt>
            <dd>{cpuFlagText(kvm.cpuFlag)}</dd>
            <dt>/dev/kvm</dt>
            <dd>{devKvmText(kvm.devKvm)}</dd>
            <dt>KVM probe</dt>
            <dd>{probeText(kvm)}</dd>
            <dt>KVM</dt>
            <dd>{kvm.reason}</dd>
            <dt>auto on this host</dt>
            <dd>{h.accel.auto === 'kvm' ? 'KVM' : 'TCG'}</dd>
            <dt>Server default</dt>
            <dd>
              {h.accel.default} <span className="muted">(VIRTWEB_ACCEL)</span>
            </dd>
          </dl>
        </div>
        <div className="panel">
          <h2>QEMU and resources</h2>
          <dl className="facts">
            <dt>QEMU version</dt>
            <dd>{h.qemu.version}</dd>
            <dt>QEMU binary</dt>
            <dd>
              <code>{h.qemu.binary}</code>
            </dd>
            {confinement && (
              <>
                <dt>QEMU runs as</dt>
                <dd>{qemuUserText(confinement)}</dd>
                <dt>QEMU sandbox</dt>
                <dd>
                  <code>-sandbox {confinement.sandbox}</code>
                </dd>
              </>
            )}
            <dt>CPUs</dt>
            <dd>{h.cpus}</dd>
            <dt>Memory</dt>
            <dd>{formatBytes(h.memoryBytes)}</dd>
          </dl>
        </div>
      </div>
      <TlsPanel tls={h.tls} />
      <LazyHostLoad />
      <ServerNameForm key={h.name ?? h.hostname} name={h.name ?? h.hostname} hostname={h.hostname} />
    </section>
  );
}
