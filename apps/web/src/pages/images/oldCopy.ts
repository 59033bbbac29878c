import type { LeftBehind } from '@virtweb/protocol';
import { timeLabel } from '../vmFormat.ts';

/** "Old copy left behind by moving web1 to host-b on <local time>" (the Images page and the delete dialog). */
export function leftBehindText(mark: LeftBehind): string {
  return `Old copy left behind by moving ${mark.vmName} to ${mark.host} on ${timeLabel(mark.movedAt)}`;
}
