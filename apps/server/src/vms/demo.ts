import type { SettingsRepo } from '../store/settings-repo.ts';
import type { ImageService } from '../images/image-service.ts';
import type { VmService } from './vm-service.ts';

const DEMO_ISO = 'tinylinux.iso';
const DONE_KEY = 'demo_guest_defined';

/** On the first start of a new data dir, defines a guest that boots the test ISO so there is something to run. */
export async function defineDemoGuest(
  settings: SettingsRepo,
  images: ImageService,
  vms: VmService,
): Promise<void> {
  if (settings.get(DONE_KEY) !== undefined) return;
  settings.set(DONE_KEY, new Date().toISOString());
  if (vms.list().length > 0 || !(await images.exists(DEMO_ISO))) return;
  await vms.create({ name: 'demo', memoryMiB: 256, vcpus: 1, disks: [], cdrom: DEMO_ISO, boot: 'cdrom' });
}
