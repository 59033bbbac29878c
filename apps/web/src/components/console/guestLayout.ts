import { KeyboardLayoutSchema, type KeyboardLayout } from '@virtweb/protocol';

const key = (vmId: string): string => `virtweb.keyboard-layout.${vmId}`;

/** The keyboard layout last chosen for a guest's pastes in this browser (US until one is chosen). */
export function storedLayout(vmId: string): KeyboardLayout {
  try {
    const parsed = KeyboardLayoutSchema.safeParse(localStorage.getItem(key(vmId)));
    return parsed.success ? parsed.data : 'us';
  } catch {
    // Storage refused (privacy settings): the default.
    return 'us';
  }
}

export function storeLayout(vmId: string, layout: KeyboardLayout): void {
  try {
    localStorage.setItem(key(vmId), layout);
  } catch {
    // Not remembered; the paste itself works.
  }
}
