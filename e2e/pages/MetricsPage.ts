import type { Locator, Page } from '@playwright/test';

/** The Graphs and Process tabs of a guest, the guests list's load columns and the host's load section. */
export class MetricsPage {
  constructor(private readonly page: Page) {}

  async gotoTab(id: string, tab: 'graphs' | 'process'): Promise<void> {
    await this.page.goto(`/vms/${id}?tab=${tab}`);
  }

  /** A chart by its title (a <figure> named by its caption). */
  chart(title: string | RegExp): Locator {
    return this.page.getByRole('figure', { name: title });
  }

  /** The uPlot canvas of a chart. */
  canvas(title: string | RegExp): Locator {
    return this.chart(title).locator('.chart-plot canvas').first();
  }

  /** How many points the chart currently plots (the wrapper writes it on every setData). */
  async points(title: string | RegExp): Promise<number> {
    return Number(await this.chart(title).locator('.chart-plot').getAttribute('data-points'));
  }

  /** The legend values of a chart (time first, then one per series). */
  legendValues(title: string | RegExp): Locator {
    return this.chart(title).locator('.u-legend .u-value');
  }

  range(label: string): Locator {
    return this.page.getByRole('radio', { name: label, exact: true });
  }

  /** The CPU sparkline in a guests-list row. */
  sparkline(vmName: string, kind: 'CPU' | 'Memory (qemu RSS)' = 'CPU'): Locator {
    return this.page.getByRole('img', { name: `${kind} of ${vmName}, last 2 minutes` });
  }

  columnHeader(name: string): Locator {
    return this.page.getByRole('columnheader', { name, exact: true });
  }

  /** The value next to a label in the Process facts ("PID", "Process state", ...). */
  fact(label: string): Locator {
    return this.page
      .getByRole('region', { name: 'Process', exact: true })
      .locator('dt')
      .filter({ hasText: new RegExp(`^${label}$`) })
      .locator('xpath=following-sibling::dd[1]');
  }

  get pid(): Locator {
    return this.fact('PID');
  }

  get commandLine(): Locator {
    return this.page.getByLabel('qemu command line');
  }

  get log(): Locator {
    return this.page.getByLabel('Lines of qemu.log', { exact: true });
  }

  /** Picks a signal, opens the confirmation (screenshot when asked) and confirms; returns the dialog's text. */
  async sendSignal(signal: 'SIGTERM' | 'SIGKILL', screenshot?: string): Promise<string> {
    await this.page.getByLabel('Signal', { exact: true }).selectOption(signal);
    await this.page.getByRole('button', { name: 'Send signal' }).click();
    const dialog = this.page.getByRole('dialog');
    const text = await dialog.innerText();
    if (screenshot) await this.page.screenshot({ path: screenshot });
    await dialog.getByRole('button', { name: 'Send signal' }).click();
    return text;
  }
}
