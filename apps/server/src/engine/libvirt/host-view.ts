import type { ConnectionHealth, HostGuest } from '@virtweb/protocol';
import type { EngineHostView } from '../engine-host.ts';
import { virtwebIdOf } from './domain-xml.ts';
import { uuidText } from './libvirt-connection.ts';
import type { LibvirtHost } from './libvirt-host.ts';
import { DomainState } from './rpc/procedures.ts';

const STATE_WORDS: Record<number, string> = {
  [DomainState.nostate]: 'unknown',
  [DomainState.running]: 'running',
  [DomainState.blocked]: 'blocked',
  [DomainState.paused]: 'paused',
  [DomainState.shutdown]: 'shutting down',
  [DomainState.shutoff]: 'shutoff',
  [DomainState.crashed]: 'crashed',
  [DomainState.pmsuspended]: 'suspended',
};

/** Why a domain defined by others is shown and not driven: virtweb manages the guests it defined. */
const FOREIGN =
  'defined outside virtweb (virt-manager, virt-install, …): virtweb shows it, and manages only the guests it defined';

/** A libvirt connection's health (hostname, CPUs, memory) and its domains, virtweb's and others'. */
export function libvirtHostView(host: LibvirtHost): EngineHostView {
  return {
    async health(): Promise<ConnectionHealth> {
      try {
        const conn = await host.connection();
        const [hostname, node] = await Promise.all([conn.hostname(), conn.nodeInfo()]);
        return { state: 'ok', hostname, cpus: node.cpus, memoryMiB: Number(node.memoryKiB / 1024n) };
      } catch (err) {
        return { state: 'unreachable', message: err instanceof Error ? err.message : String(err) };
      }
    },
    async guests(): Promise<HostGuest[]> {
      const conn = await host.connection().catch(() => undefined);
      if (!conn) return [];
      const doms = await conn.listDomains();
      return Promise.all(
        doms.map(async (dom): Promise<HostGuest> => {
          const [{ state }, xml] = await Promise.all([conn.state(dom), conn.xmlDesc(dom)]);
          const vmId = virtwebIdOf(xml);
          return {
            name: dom.name,
            uuid: uuidText(dom.uuid),
            state: STATE_WORDS[state] ?? 'unknown',
            ...(vmId === undefined ? { readOnly: FOREIGN } : { vmId }),
          };
        }),
      );
    },
    close: () => host.close(),
  };
}
