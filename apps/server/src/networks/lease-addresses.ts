import { readLeases } from './dhcp-leases.ts';

/**
 * The addresses the managed networks' dnsmasq leased, by MAC, read again from the lease files every few seconds
 * (dnsmasq rewrites them on every lease): a guest's addresses show without its guest agent.
 */
export class LeaseAddresses {
  private byMac = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly leaseFiles: () => readonly string[]) {}

  /** Reads every lease file again. @returns the MACs whose address came, went or changed */
  async refresh(): Promise<string[]> {
    const next = new Map<string, string>();
    for (const file of this.leaseFiles()) {
      for (const lease of await readLeases(file)) next.set(lease.mac.toLowerCase(), lease.ip);
    }
    const changed = [...new Set([...this.byMac.keys(), ...next.keys()])].filter(
      (mac) => this.byMac.get(mac) !== next.get(mac),
    );
    this.byMac = next;
    return changed;
  }

  /** The leased addresses of these MACs. */
  of(macs: readonly string[]): string[] {
    return macs.flatMap((mac) => this.byMac.get(mac.toLowerCase()) ?? []);
  }

  /** Refreshes every `intervalMs`, telling `onChange` which MACs' addresses changed. */
  watch(onChange: (macs: string[]) => void, intervalMs = 5000): void {
    const tick = () =>
      void this.refresh().then(
        (macs) => {
          if (macs.length > 0) onChange(macs);
        },
        () => undefined,
      );
    tick();
    this.timer = setInterval(tick, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
