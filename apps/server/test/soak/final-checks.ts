// The checks at the end, with every guest powered off: nothing lost that was not deleted, no `.part` file
// left, `qemu-img check` clean for every qcow2, and every synced marker still on its disk.
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { checkMarkers } from './marker-check.ts';
import { readMarkersOffline } from './markers.ts';
import type { SoakContext } from './op-kit.ts';

const run = promisify(execFile);

export interface FinalFigures {
  qcow2Checked: number;
  /** Images with leaked clusters (not corruption; reported, not a violation). */
  leaks: string[];
  markersChecked: number;
}

interface ImageView {
  name: string;
  format: string;
}

export async function finalChecks(ctx: SoakContext): Promise<FinalFigures> {
  const { world, dataDir } = ctx;
  const figures: FinalFigures = { qcow2Checked: 0, leaks: [], markersChecked: 0 };
  const a = await ctx.server.api('final', 'GET', '/api/images');
  if (a.status !== 200) {
    ctx.violation('final', `GET /api/images answered ${a.status}`);
    return figures;
  }
  const images = a.body as ImageView[];
  for (const [name, existence] of world.images) {
    if (existence === 'exists' && !images.some((i) => i.name === name))
      ctx.violation('lost', `image ${name} is gone at the end and was never deleted`);
  }
  for (const dir of ['images', 'states']) {
    const names = await fs.readdir(path.join(dataDir, dir)).catch(() => [] as string[]);
    for (const n of names.filter((x) => x.endsWith('.part')))
      ctx.violation('part file left', `${dir}/${n} is left at the end (no operation runs)`);
  }
  for (const image of images.filter((i) => i.format === 'qcow2')) {
    const check = await qemuImgCheck(path.join(dataDir, 'images', image.name));
    figures.qcow2Checked++;
    if (check.corrupt) ctx.violation('qcow2 corrupt', `qemu-img check ${image.name}: ${check.text}`);
    if (check.leaks > 0) figures.leaks.push(`${image.name}: ${check.leaks} leaked clusters`);
  }
  for (const guest of world.guests) {
    for (const disk of guest.disks) {
      if (world.images.get(disk.image) === 'gone' || !images.some((i) => i.name === disk.image)) continue;
      const found = await readMarkersOffline(
        path.join(dataDir, 'images', disk.image),
        'qcow2',
        disk.slotsUsed,
      );
      figures.markersChecked += disk.present.size;
      checkMarkers(ctx, disk, found, 'at the end');
    }
  }
  return figures;
}

/** `qemu-img check`: exit 2 means corruption, 3 leaks only, 1 that the check could not complete. */
async function qemuImgCheck(file: string): Promise<{ corrupt: boolean; leaks: number; text: string }> {
  try {
    await run('qemu-img', ['check', '-f', 'qcow2', '--output=json', file]);
    return { corrupt: false, leaks: 0, text: 'clean' };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    let json: { corruptions?: number; leaks?: number; 'check-errors'?: number } = {};
    try {
      json = JSON.parse(e.stdout ?? '') as typeof json;
    } catch {
      // not JSON: qemu-img could not read the image at all (exit 1); the text says why
    }
    const corrupt = e.code !== 3 || (json.corruptions ?? 0) > 0 || (json['check-errors'] ?? 0) > 0;
    return {
      corrupt,
      leaks: json.leaks ?? 0,
      text: `exit ${e.code ?? '?'} ${e.stdout ?? ''} ${e.stderr ?? ''}`.trim(),
    };
  }
}
