import type { Vm } from '@virtweb/protocol';
import { Link } from 'react-router-dom';
import { accelLabel, memoryLabel, timeLabel } from '../vmFormat.ts';

const BOOT = { cdrom: 'CD image', disk: 'Disk' } as const;

/** The definition and the runtime facts of a guest as a description list. */
export function VmFacts({ vm }: { vm: Vm }) {
  return (
    <div className="panel">
      <h2>Details</h2>
      <dl className="facts">
        <dt>State</dt>
        <dd>{vm.state}</dd>
        <dt>Process id</dt>
        <dd>{vm.pid ?? <span className="muted">no qemu process</span>}</dd>
        <dt>Accelerator</dt>
        <dd>
          {accelLabel(vm)}
          {vm.activeAccel && <span className="muted"> (requested: {vm.accel})</span>}
        </dd>
        {vm.accelReason && (
          <>
            <dt>{vm.activeAccel ? `Why ${vm.activeAccel === 'kvm' ? 'KVM' : 'TCG'}` : 'Accelerator note'}</dt>
            <dd>{vm.accelReason}</dd>
          </>
        )}
        <dt>Memory</dt>
        <dd>{memoryLabel(vm.memoryMiB)}</dd>
        <dt>vCPUs</dt>
        <dd>{vm.vcpus}</dd>
        <dt>Disks</dt>
        <dd>
          {vm.disks.length === 0 ? (
            <span className="muted">none</span>
          ) : (
            <ul className="plain">
              {vm.disks.map((d) => (
                <li key={d.image}>
                  <Link to="/images">{d.image}</Link>
                </li>
              ))}
            </ul>
          )}
        </dd>
        <dt>CD</dt>
        <dd>{vm.cdrom ?? <span className="muted">none</span>}</dd>
        <dt>Network</dt>
        <dd>{vm.network === 'user' ? 'user-mode NAT' : 'none'}</dd>
        <dt>Boot device</dt>
        <dd>{BOOT[vm.boot]}</dd>
        <dt>Created</dt>
        <dd>{timeLabel(vm.createdAt)}</dd>
        {vm.startedAt && (
          <>
            <dt>Started</dt>
            <dd>{timeLabel(vm.startedAt)}</dd>
          </>
        )}
        <dt>Id</dt>
        <dd>
          <code>{vm.id}</code>
        </dd>
      </dl>
    </div>
  );
}
