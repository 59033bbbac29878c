import { VRAM_CHOICES_MIB, type VideoModel } from '@virtweb/protocol';

/** The video memory a model takes that is closest to `mib` (switching models keeps about the same size). */
export function closestVram(model: VideoModel, mib: number): number {
  const choices = VRAM_CHOICES_MIB[model];
  return choices.reduce(
    (best, n) => (Math.abs(n - mib) < Math.abs(best - mib) ? n : best),
    choices[0] ?? mib,
  );
}
