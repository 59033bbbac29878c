// The guest agent commands virtweb uses, their answers checked and put into the API's shapes.
import type { GuestFilesystem, GuestInterface, GuestOs } from '@virtweb/protocol';
import { z } from 'zod';
import { AgentConnection, GuestAgentError, type AgentCommandOptions } from './agent-connection.ts';

// NOTE: the answers as qemu-ga 7.2 gives them (docs/interop/qemu-ga-ref): optional members are left out when
// the guest does not know them, hence the many optionals.
const InfoSchema = z.object({ version: z.string() });
const OsInfoSchema = z.object({
  'kernel-release': z.string().optional(),
  machine: z.string().optional(),
  id: z.string().optional(),
  name: z.string().optional(),
  'pretty-name': z.string().optional(),
  version: z.string().optional(),
  'version-id': z.string().optional(),
});
const HostNameSchema = z.object({ 'host-name': z.string() });
const InterfacesSchema = z.array(
  z.object({
    name: z.string(),
    'hardware-address': z.string().optional(),
    'ip-addresses': z
      .array(
        z.object({
          'ip-address-type': z.enum(['ipv4', 'ipv6']),
          'ip-address': z.string(),
          prefix: z.number().int(),
        }),
      )
      .optional(),
  }),
);
const FsInfoSchema = z.array(
  z.object({
    mountpoint: z.string(),
    type: z.string(),
    'used-bytes': z.number().optional(),
    'total-bytes': z.number().optional(),
  }),
);
const CountSchema = z.number().int();
const FreezeStatusSchema = z.enum(['thawed', 'frozen']);

/** How long a shutdown waits for the agent's refusal (it answers a guest-shutdown only when it fails). */
const SHUTDOWN_ANSWER_MS = 3000;

/** The guest agent of one guest: typed commands over one {@link AgentConnection}. */
export class GuestAgent {
  constructor(readonly connection: AgentConnection) {}

  /** @throws GuestAgentError (and its subclasses) */
  async ping(opts?: AgentCommandOptions): Promise<void> {
    await this.connection.execute('guest-ping', undefined, opts);
  }

  /** The agent's version. */
  async version(): Promise<string> {
    return parse('guest-info', InfoSchema, await this.connection.execute('guest-info')).version;
  }

  async os(): Promise<GuestOs> {
    const o = parse('guest-get-osinfo', OsInfoSchema, await this.connection.execute('guest-get-osinfo'));
    const name = o['pretty-name'] ?? ([o.name, o.version].filter(Boolean).join(' ') || o.id || 'unknown');
    return {
      name,
      ...(o.id === undefined ? {} : { id: o.id }),
      ...(o.version === undefined ? {} : { version: o.version }),
      ...(o['kernel-release'] === undefined ? {} : { kernelRelease: o['kernel-release'] }),
      ...(o.machine === undefined ? {} : { machine: o.machine }),
    };
  }

  async hostname(): Promise<string> {
    return parse('guest-get-host-name', HostNameSchema, await this.connection.execute('guest-get-host-name'))[
      'host-name'
    ];
  }

  async interfaces(): Promise<GuestInterface[]> {
    const raw = await this.connection.execute('guest-network-get-interfaces');
    return parse('guest-network-get-interfaces', InterfacesSchema, raw).map((i) => ({
      name: i.name,
      ...(i['hardware-address'] === undefined ? {} : { mac: i['hardware-address'] }),
      addresses: (i['ip-addresses'] ?? []).map((a) => ({
        family: a['ip-address-type'],
        address: a['ip-address'],
        prefix: a.prefix,
      })),
    }));
  }

  async filesystems(): Promise<GuestFilesystem[]> {
    const raw = await this.connection.execute('guest-get-fsinfo');
    return parse('guest-get-fsinfo', FsInfoSchema, raw).map((f) => ({
      mountpoint: f.mountpoint,
      type: f.type,
      ...(f['used-bytes'] === undefined ? {} : { usedBytes: f['used-bytes'] }),
      ...(f['total-bytes'] === undefined ? {} : { totalBytes: f['total-bytes'] }),
    }));
  }

  /**
   * Asks the guest to power off. The agent answers only a failure; no answer within a few seconds (or the
   * channel closing as the guest goes down) is success.
   * @throws GuestAgentRefused, GuestAgentError
   */
  async shutdown(): Promise<void> {
    await this.connection.execute(
      'guest-shutdown',
      { mode: 'powerdown' },
      { answersOnlyErrors: true, timeoutMs: SHUTDOWN_ANSWER_MS },
    );
  }

  /** Freezes the guest's file systems; resolves with how many it froze. */
  async freeze(): Promise<number> {
    return parse(
      'guest-fsfreeze-freeze',
      CountSchema,
      await this.connection.execute('guest-fsfreeze-freeze'),
    );
  }

  /** Thaws them; resolves with how many it thawed. */
  async thaw(): Promise<number> {
    return parse('guest-fsfreeze-thaw', CountSchema, await this.connection.execute('guest-fsfreeze-thaw'));
  }

  async freezeStatus(): Promise<'thawed' | 'frozen'> {
    return parse(
      'guest-fsfreeze-status',
      FreezeStatusSchema,
      await this.connection.execute('guest-fsfreeze-status'),
    );
  }

  close(): void {
    this.connection.close();
  }
}

function parse<T>(command: string, schema: z.ZodType<T>, raw: unknown): T {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new GuestAgentError(`the guest agent's answer to ${command} is not what qemu-ga gives`);
}
