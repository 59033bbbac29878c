import type { QmpClient } from '@virtweb/qmp';

/** How a guest's process ended. */
export interface GuestExit {
  /** `clean`: shut down in order; `killed`: virtweb had to signal it; `crashed`: anything else. */
  kind: 'clean' | 'killed' | 'crashed';
  reason: string;
  /** The engine's last log lines when it crashed. */
  logTail?: string | undefined;
}

/** How a stop escalates: ACPI powerdown, quit, SIGTERM, SIGKILL, each with a time limit. */
export interface GuestStopOptions {
  powerdownTimeoutMs?: number;
  quitTimeoutMs?: number;
  sigtermTimeoutMs?: number;
  /** First step; `quit` is a hard power-off that still lets qemu flush and exit. */
  from?: 'powerdown' | 'quit' | 'sigterm' | 'sigkill';
}

/** Where a running guest's consoles are reached (unix sockets the server connects to, one client each). */
export interface GuestConsoles {
  /** RFB (VNC). */
  screen: string;
  serial: string;
  /** ttyS1, ttyS2, ttyS3: sockets the engine listens on for the ports the guest has. */
  serialPorts: readonly string[];
  /** HMP, qemu's human monitor. */
  monitor: string;
  /** A QMP socket for the browser's own QMP pane (the server keeps its own connection). */
  qmp: string;
  /** The guest agent's channel: a socket only when the guest was started with one (`guestAgent`). */
  agent: string;
}

/** One running guest, as its engine hands it to the services. */
export interface RunningGuest {
  readonly pid: number;
  /** The server's QMP connection: queries, events and commands. */
  readonly qmp: QmpClient;
  readonly consoles: GuestConsoles;
  /** Set once the process is gone. */
  readonly exit: GuestExit | undefined;
  readonly exited: Promise<GuestExit>;
  once(event: 'exit', listener: (exit: GuestExit) => void): void;
  off(event: 'exit', listener: (exit: GuestExit) => void): void;
  /** Ends the guest by escalation (see {@link GuestStopOptions}); resolves with its exit. */
  stop(opts?: GuestStopOptions): Promise<GuestExit>;
  kill(signal: NodeJS.Signals): boolean;
  /** What failed behind the guest while it runs (e.g. its TPM emulator died); absent or empty when nothing. */
  readonly faults?: readonly string[];
  /** Hears each such failure as it happens. */
  onFault?(listener: (message: string) => void): void;
  /** Closes the server's connections without stopping the guest (guests outlive the server). */
  detach(): Promise<void>;
}
