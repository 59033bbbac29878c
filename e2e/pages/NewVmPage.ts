import type { Locator, Page } from '@playwright/test';

export interface NewVmInput {
  name: string;
  memoryMiB: number;
  vcpus?: number;
  /** The ISO to install from (default: the wizard's first ISO). */
  cdrom?: string;
  /** `none`: no disk; else a new disk of this size ("64M"). Default: the preset's new disk. */
  disk?: string;
  accel?: 'auto' | 'kvm' | 'tcg';
  machine?: 'q35' | 'pc';
}

export type WizardStep =
  | 'Name and install media'
  | 'Operating system'
  | 'Memory and CPUs'
  | 'Storage'
  | 'Network'
  | 'Firmware and machine'
  | 'Summary';

/** The new-VM wizard: a step list, one step's form, Back / Next, and Create on the summary. */
export class NewVmPage {
  readonly heading: Locator;
  readonly next: Locator;
  readonly back: Locator;
  readonly create: Locator;
  readonly createAndStart: Locator;
  /** The current step's heading ("Step 3 of 7: Memory and CPUs"). */
  readonly stepHeading: Locator;
  readonly steps: Locator;
  /** The exact qemu command line on the summary. */
  readonly commandLine: Locator;

  constructor(private readonly page: Page) {
    this.heading = page.getByRole('heading', { name: 'New VM', level: 1 });
    this.next = page.getByRole('button', { name: 'Next', exact: true });
    this.back = page.getByRole('button', { name: 'Back', exact: true });
    this.create = page.getByRole('button', { name: 'Create', exact: true });
    this.createAndStart = page.getByRole('button', { name: 'Create and start, open console' });
    this.stepHeading = page.locator('#wizard-step-title');
    this.steps = page.getByRole('navigation', { name: 'Steps of the new VM wizard' });
    this.commandLine = page.getByRole('region', { name: 'qemu command line' }).locator('pre');
  }

  async goto(): Promise<void> {
    await this.page.goto('/vms/new');
  }

  /** A control by its exact label, inside the current step. */
  field(label: string): Locator {
    return this.page.locator('#new-vm-step').getByLabel(label, { exact: true });
  }

  /** The step list's button of a step. */
  step(title: WizardStep): Locator {
    return this.steps.getByRole('button', { name: new RegExp(`^${title}`) });
  }

  /** Fills every step with the mouse and clicks Create on the summary. */
  async createVm(vm: NewVmInput): Promise<void> {
    await this.field('Name').fill(vm.name);
    if (vm.cdrom) await this.field('ISO image').selectOption(vm.cdrom);
    await this.next.click();
    await this.next.click(); // OS type: the Linux preset
    await this.field('Memory (MiB)').fill(String(vm.memoryMiB));
    if (vm.vcpus !== undefined) await this.field('vCPUs').fill(String(vm.vcpus));
    await this.next.click();
    if (vm.disk === 'none') await this.field('No disk').check();
    else if (vm.disk) await this.field('Size').fill(vm.disk);
    await this.next.click();
    await this.next.click(); // network: user-mode NAT
    if (vm.machine) await this.field('Machine type').selectOption(vm.machine);
    if (vm.accel) await this.field('Accelerator').selectOption(vm.accel);
    await this.next.click();
    await this.create.click();
  }
}
