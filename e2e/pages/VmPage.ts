import type { Locator, Page } from '@playwright/test';

export type VmTab = 'Overview' | 'Screen' | 'Monitor' | 'QMP' | 'Serial';

/** The page of one guest: lifecycle buttons and the tabs with its consoles. */
export class VmPage {
  readonly transcript: Locator;
  readonly qmpCommand: Locator;

  constructor(
    private readonly page: Page,
    private readonly vmName: string,
  ) {
    this.transcript = page.getByRole('log', { name: 'QMP transcript' });
    this.qmpCommand = page.getByLabel('Command', { exact: true });
  }

  async goto(id: string, tab?: VmTab): Promise<void> {
    await this.page.goto(tab && tab !== 'Overview' ? `/vms/${id}?tab=${tab.toLowerCase()}` : `/vms/${id}`);
  }

  tab(name: VmTab): Locator {
    return this.page.getByRole('tablist', { name: `Views of ${this.vmName}` }).getByRole('tab', { name });
  }

  /** The noVNC canvas, once connected (the component names it for assistive technology). */
  get screen(): Locator {
    return this.page.getByRole('application', { name: `Screen of ${this.vmName}` });
  }

  button(name: string | RegExp): Locator {
    return this.page.getByRole('button', { name });
  }

  /** The terminal element of a console ("Serial console of x", "qemu monitor of x"). */
  terminal(kind: 'serial' | 'monitor'): Locator {
    const label = kind === 'serial' ? `Serial console of ${this.vmName}` : `qemu monitor of ${this.vmName}`;
    return this.page.getByRole('group', { name: label });
  }

  /** The rows xterm.js shows (its DOM renderer draws each row as text), one string per row. */
  async terminalLines(kind: 'serial' | 'monitor'): Promise<string[]> {
    return this.terminal(kind)
      .locator('.xterm-rows > div')
      .evaluateAll((rows) => rows.map((r) => r.textContent.replace(/\u00a0/g, ' ').trimEnd()));
  }

  /** Focuses a terminal (a click puts the keyboard focus in xterm's input). */
  async focusTerminal(kind: 'serial' | 'monitor'): Promise<void> {
    await this.terminal(kind).locator('.xterm-screen').click();
  }
}
