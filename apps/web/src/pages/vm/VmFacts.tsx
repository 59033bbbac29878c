import type { EngineId, Vm } from '@virtweb/protocol';
import { Link } from 'react-router-dom';
import { DISK_BUS_LABELS, OS_PRESETS } from '@virtweb/protocol';
import { optionsLabel } from './storage/DiskOptionsFields.tsx';
import { stateTitle, stateWord } from '../../components/stateWords.ts';
import { accelLabel, memoryLabel, timeLabel } from '../vmFormat.ts';
import {
  BOOT_LABEL,
  CLOCK_LABEL,
  FIRMWARE_LABEL,
  devicesLabel,
  nicLabel,
  portForwardLabels,
} from './settings/labels.ts';

const ENGINE_LABEL: Record<EngineId, string> = {
  'qemu-direct': 'qemu, run by virtweb',
  libvirt: 'libvirt',
};
const ENGINE_TITLE: Record<EngineId, string> = {
  'qemu-direct': "virtweb starts this guest's qemu itself, as an ordinary process of this host",
  libvirt: 'a domain of this libvirt connection, defined and driven by virtweb through the libvirt API',
};

/** A device behind the running guest that failed (its TPM emulator died): said where the devices are. */
function FaultFact({ fault }: { fault: string }) {
  return (
    <>
      <dt>Device failure</dt>
      <dd className="field-error" role="alert">
        {fault}
      </dd>
    </>
  );
}

/** The definition and the runtime facts of a guest as a description list. */
export function VmFacts({ vm }: { vm: Vm }) {
  return (
    <div className="panel">
      <h2>Details</h2>
      <dl className="facts">
        <dt>State</dt>
        <dd title={stateTitle(vm.state)}>
          {stateWord(vm.state)}
          {vm.shutdownVia && (
            <span className="muted">
              {' '}
              (shutdown asked {vm.shutdownVia === 'guest-agent' ? 'through the guest agent' : 'by ACPI'})
            </span>
          )}
        </dd>
        <dt>Engine</dt>
        <dd title={ENGINE_TITLE[vm.engine.id]}>
          {ENGINE_LABEL[vm.engine.id]} <span className="muted">({vm.engine.connection})</span>
        </dd>
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
        <dt>OS type</dt>
        <dd>{OS_PRESETS[vm.os].label}</dd>
        <dt>Memory</dt>
        <dd>
          {memoryLabel(vm.memoryMiB)}
          {vm.balloon && <span className="muted"> (with a memory balloon)</span>}
        </dd>
        <dt>vCPUs</dt>
        <dd>
          {vm.vcpus}
          {vm.topology.sockets > 1 || vm.topology.threads > 1 ? (
            <span className="muted">
              {' '}
              ({vm.topology.sockets} sockets × {vm.topology.cores} cores × {vm.topology.threads} threads)
            </span>
          ) : null}
        </dd>
        <dt>Disks</dt>
        <dd>
          {vm.disks.length === 0 ? (
            <span className="muted">none</span>
          ) : (
            <ul className="plain">
              {vm.disks.map((d) => (
                <li key={d.image}>
                  <Link to="/images">{d.image}</Link>{' '}
                  <span className="muted">
                    ({DISK_BUS_LABELS[d.bus]}, {optionsLabel(d)})
                  </span>
                </li>
              ))}
            </ul>
          )}
        </dd>
        <dt>CD</dt>
        <dd>{vm.cdrom ?? <span className="muted">none</span>}</dd>
        <dt>Network</dt>
        <dd>
          {vm.nics.length === 0 ? (
            <span className="muted">none</span>
          ) : (
            <ul className="plain">
              {vm.nics.map((nic) => (
                <li key={nic.slot}>
                  {nicLabel(nic)}, MAC {nic.mac}
                  {nic.linkUp ? '' : ' (link down)'}
                  {portForwardLabels(nic).length > 0 && (
                    <ul className="plain">
                      {portForwardLabels(nic).map((f) => (
                        <li key={f}>{f}</li>
                      ))}
                    </ul>
                  )}
                </li>
              ))}
            </ul>
          )}
        </dd>
        <dt>Boot device</dt>
        <dd>
          {BOOT_LABEL[vm.boot]}
          {vm.boot === 'kernel' && vm.kernel && <span className="muted"> ({vm.kernel.kernel})</span>}
        </dd>
        <dt>Firmware and machine</dt>
        <dd>
          {FIRMWARE_LABEL[vm.firmware]}, {vm.machine}
          {vm.noKernelIrqchip && <span className="muted">, no kernel irqchip</span>}
        </dd>
        <dt>Clock</dt>
        <dd>{CLOCK_LABEL[vm.clock]}</dd>
        <dt>Devices</dt>
        <dd>{devicesLabel(vm.devices)}</dd>
        {vm.faults?.map((fault) => (
          <FaultFact key={fault} fault={fault} />
        ))}
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
