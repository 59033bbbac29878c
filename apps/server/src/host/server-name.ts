import os from 'node:os';
import type { SettingsRepo } from '../store/settings-repo.ts';

const KEY = 'display_name';

/**
 * This server's display name: the admin's choice (Host page), else VIRTWEB_NAME, else the hostname. Peers and
 * the guests list show it.
 */
export class ServerName {
  constructor(
    private readonly settings: SettingsRepo,
    private readonly configured?: string,
  ) {}

  get(): string {
    return this.settings.get(KEY) ?? this.configured ?? os.hostname();
  }

  /** Stores a name already validated by `ServerNameSchema`. */
  set(name: string): void {
    this.settings.set(KEY, name);
  }
}
