import type { VmProcess } from '@virtweb/protocol';
import { formatPercent } from '../../../components/charts/format.ts';
import { useLiveVm } from '../../../queries/liveMetrics.ts';

/** The process's threads (`top -H -p <pid>`): vCPU threads first, each with its live CPU share. */
export function VcpuThreads({ vmId, threads }: { vmId: string; threads: VmProcess['threads'] }) {
  const newest = useLiveVm(vmId).at(-1);
  const sorted = [...threads].sort((a, b) => (a.vcpu ?? Infinity) - (b.vcpu ?? Infinity) || a.tid - b.tid);
  return (
    <section className="panel" aria-labelledby="threads-title">
      <h2 id="threads-title">Threads</h2>
      <p className="muted small">
        Each vCPU is a thread of the qemu process: <code>top -H -p</code> and <code>taskset -p</code> work on
        these ids.
      </p>
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">Threads of the qemu process</caption>
          <thead>
            <tr>
              <th scope="col" className="num">
                Thread id
              </th>
              <th scope="col">Name</th>
              <th scope="col">vCPU</th>
              <th scope="col" className="num">
                CPU now
              </th>
            </tr>
          </thead>
          <tbody>
            {sorted.map((t) => {
              const cpu = t.vcpu === null ? undefined : newest?.vcpus?.[t.vcpu];
              return (
                <tr key={t.tid}>
                  <td className="num">{t.tid}</td>
                  <td>
                    <code>{t.name}</code>
                  </td>
                  <td>{t.vcpu === null ? '' : `vCPU ${t.vcpu}`}</td>
                  <td className="num">{cpu === undefined ? '' : formatPercent(cpu)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
