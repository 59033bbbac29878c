import type { Locator, Page } from '@playwright/test';

export interface NewVmInput {
  name: string;
  memoryMiB: number;
  vcpus?: number;
  cdrom?: string;
  disk?: string;
  boot?: 'cdrom' | 'disk';
  accel?: 'auto' | 'kvm' | 'tcg';
}

export class NewVmPage {
  readonly heading: Locator;
  readonly create: Locator;

  constructor(private readonly page: Page) {
    this.heading = page.getByRole('heading', { name: 'New VM' });
    this.create = page.getByRole('button', { name: 'Create VM' });
  }

  async fill(vm: NewVmInput): Promise<void> {
    const p = this.page;
    await p.getByLabel('Name', { exact: true }).fill(vm.name);
    await p.getByLabel('Memory (MiB)', { exact: true }).fill(String(vm.memoryMiB));
    if (vm.vcpus !== undefined) await p.getByLabel('vCPUs', { exact: true }).fill(String(vm.vcpus));
    if (vm.cdrom) await p.getByLabel('CD image', { exact: true }).selectOption(vm.cdrom);
    if (vm.disk) await p.getByLabel('Disk', { exact: true }).selectOption(vm.disk);
    if (vm.boot) await p.getByLabel('Boot device', { exact: true }).selectOption(vm.boot);
    if (vm.accel) await p.getByLabel('Accelerator', { exact: true }).selectOption(vm.accel);
  }
}
