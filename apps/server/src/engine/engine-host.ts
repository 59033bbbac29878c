import type { ConnectionHealth, HostGuest } from '@virtweb/protocol';

/**
 * What an engine that reaches a host of its own (a libvirt connection) tells about it: how it answers, and
 * every guest it has, virtweb's and those defined by others.
 */
export interface EngineHostView {
  health(): Promise<ConnectionHealth>;
  /** The host's guests; empty when it cannot be reached. */
  guests(): Promise<HostGuest[]>;
  /** Lets go of the host (the connection was removed). */
  close(): void;
}
