import { RpcClient, type StreamSink } from './rpc/rpc-client.ts';
import { AuthType, EVENT_ID_LIFECYCLE, Flags, QemuProc, RemoteProc } from './rpc/procedures.ts';
import { LibvirtError, Program } from './rpc/wire.ts';
import { XdrReader, XdrWriter } from './rpc/xdr.ts';

/** A domain as the protocol names it: its name, UUID (16 bytes) and id (-1 while it is not running). */
export interface DomainRef {
  name: string;
  uuid: Buffer;
  id: number;
}

export interface LifecycleEvent {
  dom: DomainRef;
  event: number;
  detail: number;
}

export interface MonitorEvent {
  dom: DomainRef;
  event: string;
  seconds: bigint;
  micros: number;
  /** The event's `data` as JSON text. */
  details: string | undefined;
}

export interface NodeInfo {
  model: string;
  memoryKiB: bigint;
  cpus: number;
  mhz: number;
}

const writeDom = (w: XdrWriter, d: DomainRef): void => {
  w.string(d.name).fixed(d.uuid).i32(d.id);
};
const readDom = (r: XdrReader): DomainRef => ({ name: r.string(), uuid: r.fixed(16), id: r.i32() });
const domArgs = (d: DomainRef, flags?: number): Buffer => {
  const w = new XdrWriter();
  writeDom(w, d);
  if (flags !== undefined) w.u32(flags);
  return w.toBuffer();
};

/** The UUID's text form (8-4-4-4-12 hex digits). */
export const uuidText = (uuid: Buffer): string => {
  const h = uuid.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

/**
 * The libvirt API this engine uses, spoken over the remote protocol (no libvirt library, no virsh): one open
 * connection to one daemon, with lifecycle and QMP events delivered to listeners.
 */
export class LibvirtConnection {
  private readonly lifecycle = new Set<(e: LifecycleEvent) => void>();
  private readonly monitor = new Set<(e: MonitorEvent) => void>();

  private constructor(private readonly rpc: RpcClient) {
    rpc.onEvent(Program.remote, RemoteProc.domainEventCallbackLifecycle, (r) => {
      r.i32(); // callbackID: one registration per connection
      const e = { dom: readDom(r), event: r.i32(), detail: r.i32() };
      for (const l of this.lifecycle) l(e);
    });
    rpc.onEvent(Program.qemu, QemuProc.domainMonitorEvent, (r) => {
      r.i32();
      const e: MonitorEvent = {
        dom: readDom(r),
        event: r.string(),
        seconds: r.i64(),
        micros: r.u32(),
        details: r.optional((x) => x.string()),
      };
      for (const l of this.monitor) l(e);
    });
  }

  /**
   * Opens `uri` (e.g. `qemu:///system`) over a daemon's unix socket, authenticating as the socket's peer (root
   * passes polkit without asking), and subscribes to lifecycle and QMP events of every domain.
   * @throws the socket's error, LibvirtError (refused)
   */
  static async open(socketPath: string, uri: string): Promise<LibvirtConnection> {
    const rpc = await RpcClient.connectUnix(socketPath);
    try {
      const auth = (await rpc.call(Program.remote, RemoteProc.authList, Buffer.alloc(0))).array(
        (r) => r.i32(),
        20,
      );
      if (auth.length > 0 && !auth.includes(AuthType.none)) {
        if (!auth.includes(AuthType.polkit)) {
          throw new LibvirtError(
            `the daemon asks for authentication virtweb does not speak (${auth.join(', ')})`,
            -1,
            -1,
          );
        }
        await rpc.call(Program.remote, RemoteProc.authPolkit, Buffer.alloc(0));
      }
      const open = new XdrWriter()
        .optional(uri, (w, v) => w.string(v))
        .u32(0)
        .toBuffer();
      await rpc.call(Program.remote, RemoteProc.connectOpen, open);
      const conn = new LibvirtConnection(rpc);
      const register = new XdrWriter().i32(EVENT_ID_LIFECYCLE).u32(0).toBuffer();
      await rpc.call(Program.remote, RemoteProc.connectDomainEventCallbackRegisterAny, register);
      const monitorEvents = new XdrWriter().u32(0).u32(0).u32(0).toBuffer();
      await rpc.call(Program.qemu, QemuProc.connectDomainMonitorEventRegister, monitorEvents);
      return conn;
    } catch (err) {
      rpc.close();
      throw err;
    }
  }

  get closed(): boolean {
    return this.rpc.closed;
  }

  onClose(listener: (err: Error | undefined) => void): () => void {
    return this.rpc.onClose(listener);
  }

  close(): void {
    this.rpc.close();
  }

  onLifecycle(listener: (e: LifecycleEvent) => void): () => void {
    this.lifecycle.add(listener);
    return () => this.lifecycle.delete(listener);
  }

  onMonitorEvent(listener: (e: MonitorEvent) => void): () => void {
    this.monitor.add(listener);
    return () => this.monitor.delete(listener);
  }

  async hostname(): Promise<string> {
    return (await this.remote(RemoteProc.connectGetHostname)).string();
  }

  async nodeInfo(): Promise<NodeInfo> {
    const r = await this.remote(RemoteProc.nodeGetInfo);
    // NOTE: `char model[32]` is a fixed XDR array of 32 chars, each one a 4-byte unit, not 32 opaque bytes.
    const codes = Array.from({ length: 32 }, () => r.i32());
    const model = String.fromCharCode(...codes.slice(0, Math.max(0, codes.indexOf(0)) || 32));
    return { model, memoryKiB: r.u64(), cpus: r.i32(), mhz: r.i32() };
  }

  async listDomains(): Promise<DomainRef[]> {
    const r = await this.remote(
      RemoteProc.connectListAllDomains,
      new XdrWriter().i32(1).u32(Flags.listAll).toBuffer(),
    );
    return r.array(readDom);
  }

  async lookupByUuid(uuid: Buffer): Promise<DomainRef> {
    return readDom(await this.remote(RemoteProc.domainLookupByUuid, new XdrWriter().fixed(uuid).toBuffer()));
  }

  async lookupByName(name: string): Promise<DomainRef> {
    return readDom(await this.remote(RemoteProc.domainLookupByName, new XdrWriter().string(name).toBuffer()));
  }

  async defineXml(xml: string): Promise<DomainRef> {
    return readDom(await this.remote(RemoteProc.domainDefineXml, new XdrWriter().string(xml).toBuffer()));
  }

  async xmlDesc(dom: DomainRef, flags = 0): Promise<string> {
    return (await this.remote(RemoteProc.domainGetXmlDesc, domArgs(dom, flags))).string();
  }

  /** virDomainState and its reason. */
  async state(dom: DomainRef): Promise<{ state: number; reason: number }> {
    const r = await this.remote(RemoteProc.domainGetState, domArgs(dom, 0));
    return { state: r.i32(), reason: r.i32() };
  }

  /** Starts a defined domain; returns it with its new id. */
  async create(dom: DomainRef, flags = 0): Promise<DomainRef> {
    return readDom(await this.remote(RemoteProc.domainCreateWithFlags, domArgs(dom, flags)));
  }

  async shutdown(dom: DomainRef): Promise<void> {
    await this.remote(RemoteProc.domainShutdownFlags, domArgs(dom, Flags.shutdownAcpi));
  }

  async destroy(dom: DomainRef): Promise<void> {
    await this.remote(RemoteProc.domainDestroyFlags, domArgs(dom, 0));
  }

  async reset(dom: DomainRef): Promise<void> {
    await this.remote(RemoteProc.domainReset, domArgs(dom, 0));
  }

  async suspend(dom: DomainRef): Promise<void> {
    await this.remote(RemoteProc.domainSuspend, domArgs(dom));
  }

  async resume(dom: DomainRef): Promise<void> {
    await this.remote(RemoteProc.domainResume, domArgs(dom));
  }

  async undefine(dom: DomainRef): Promise<void> {
    await this.remote(RemoteProc.domainUndefineFlags, domArgs(dom, Flags.undefineAll));
  }

  /** `virDomainQemuMonitorCommand`: a QMP command as JSON text, or an HMP line with `hmp`. */
  async monitorCommand(dom: DomainRef, cmd: string, hmp: boolean): Promise<string> {
    const w = new XdrWriter();
    writeDom(w, dom);
    w.string(cmd).u32(hmp ? Flags.monitorHmp : 0);
    return (await this.rpc.call(Program.qemu, QemuProc.domainMonitorCommand, w.toBuffer())).string();
  }

  /**
   * Opens the domain's first console as a stream (virDomainOpenConsole), taking it from another client.
   * @returns a writer into the console and a closer.
   */
  async openConsole(
    dom: DomainRef,
    sink: StreamSink,
  ): Promise<{ write: (data: Buffer) => void; close: () => void }> {
    const w = new XdrWriter();
    writeDom(w, dom);
    w.optional(undefined, (x, v: string) => x.string(v)).u32(Flags.consoleForce);
    const proc = RemoteProc.domainOpenConsole;
    const serial = await this.rpc.openStream(Program.remote, proc, w.toBuffer(), sink);
    return {
      write: (data) => this.rpc.streamSend(Program.remote, proc, serial, data),
      close: () => this.rpc.streamFinish(Program.remote, proc, serial),
    };
  }

  private remote(proc: number, body: Buffer = Buffer.alloc(0)): Promise<XdrReader> {
    return this.rpc.call(Program.remote, proc, body);
  }
}
