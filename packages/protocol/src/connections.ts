import { z } from 'zod';

// Connections (virt-manager's "Add Connection"): libvirt hosts whose guests virtweb shows and drives beside its
// own, through the libvirt engine.

const LOCAL_PATHS = ['/system', '/session'];

/**
 * A libvirt URI virtweb accepts: `qemu:///system` (the local daemon; `?socket=/abs/path` names another unix
 * socket), `qemu+ssh://[user@]host[:port]/system`, `qemu+tls://host[:port]/system`.
 */
export const LibvirtUriSchema = z
  .string()
  .trim()
  .min(1, 'the URI is empty')
  .max(512, 'a URI is at most 512 characters')
  .superRefine((text, ctx) => {
    const issue = (message: string) => ctx.addIssue({ code: 'custom', message });
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      issue('not a URI: write it as qemu:///system, qemu+ssh://user@host/system or qemu+tls://host/system');
      return;
    }
    const transport = url.protocol.replace(/:$/, '');
    if (!['qemu', 'qemu+unix', 'qemu+ssh', 'qemu+tls'].includes(transport)) {
      issue(`the transport is qemu, qemu+unix, qemu+ssh or qemu+tls, not ${transport}`);
      return;
    }
    if (!LOCAL_PATHS.includes(url.pathname))
      issue(`the path is /system or /session, not ${url.pathname || '(none)'}`);
    if (url.password !== '') issue('a URI carries no password (use an SSH key or a TLS certificate)');
    if (url.hash !== '') issue('a URI has no #fragment');
    const local = transport === 'qemu' || transport === 'qemu+unix';
    if (local && url.host !== '')
      issue(`${transport}:// names no host (write qemu:///system), or use qemu+ssh or qemu+tls`);
    if (!local && url.hostname === '') issue(`${transport} needs a host: ${transport}://host/system`);
    if (!local && !/^[A-Za-z0-9.-]+$|^\[[0-9A-Fa-f:.]+\]$/.test(url.hostname))
      issue(`${url.hostname} is not a host name`);
    if (url.username !== '' && !/^[a-z_][a-z0-9_.-]{0,31}$/i.test(url.username))
      issue(`${url.username} is not a user name`);
    for (const [key, value] of url.searchParams) {
      if (key !== 'socket' || !local) {
        issue(
          `the URI parameter ${key} is not supported${key === 'socket' ? ' with a remote transport' : ''}`,
        );
      } else if (!value.startsWith('/') || value.split('/').includes('..') || value.length > 107) {
        issue('socket= is an absolute path of a unix socket, without ..');
      }
    }
  });

export const CreateConnectionRequestSchema = z.strictObject({ uri: LibvirtUriSchema });
export type CreateConnectionRequest = z.input<typeof CreateConnectionRequestSchema>;

/** How a connection's host answers now. */
export const ConnectionHealthSchema = z.discriminatedUnion('state', [
  z.object({
    state: z.literal('ok'),
    hostname: z.string(),
    cpus: z.number().int(),
    memoryMiB: z.number().int(),
  }),
  /** The daemon cannot be reached, or refused; `message` says why in plain words. */
  z.object({ state: z.literal('unreachable'), message: z.string() }),
]);
export type ConnectionHealth = z.infer<typeof ConnectionHealthSchema>;

/** A guest of a connection's host as the host lists it. */
export const HostGuestSchema = z.object({
  name: z.string(),
  uuid: z.string(),
  /** libvirt's state in one word: running, paused, shutoff, crashed, … */
  state: z.string(),
  /** The virtweb guest it is (virtweb defined it), else absent: defined by others. */
  vmId: z.string().optional(),
  /** Why virtweb shows a guest defined by others read-only. */
  readOnly: z.string().optional(),
});
export type HostGuest = z.infer<typeof HostGuestSchema>;

export const ConnectionSchema = z.object({
  id: z.string(),
  uri: z.string(),
  engine: z.literal('libvirt'),
  createdAt: z.string(),
  health: ConnectionHealthSchema,
  guests: z.array(HostGuestSchema),
});
export type Connection = z.infer<typeof ConnectionSchema>;
