// Inside the guests: markers written to their disks through the serial console (counted as synced only once
// the shell said the flush returned), and read back past the guest's cache to see they are all still there.
import type { Marker } from './disk-model.ts';
import { checkMarkers } from './marker-check.ts';
import { markerText, parseMarkers, printed, readMarkersCommand, writeMarkerCommand } from './markers.ts';
import type { OpRun, OpSpec } from './op-kit.ts';
import type { Guest } from './world.ts';

/** How long a guest may take to answer on its console (booting under TCG with other guests busy). */
const SHELL_READY_MS = 25_000;
const COMMAND_MS = 30_000;
/** Operations after which a command's output no longer says what is on the disk. */
const RAM_CHANGING = ['revert', 'restore', 'save', 'reset'];

const attached = (run: OpRun, g: Guest) =>
  g.disks.filter((d) => run.world.view(g.id)?.disks.some((v) => v.image === d.image && v.index === d.slot));

const writeMarker: OpSpec = {
  kind: 'marker',
  scope: 'guest',
  weight: (_ctx, _g, v) => (v?.state === 'running' ? 8 : 0),
  run: (run, g) => {
    if (!g) return Promise.resolve();
    return g.console.exclusive(async () => {
      const disks = attached(run, g);
      if (disks.length === 0 || !(await g.console.probe(SHELL_READY_MS))) return run.note('no shell');
      const disk = run.prng.pick(disks);
      run.rec.images.push(disk.image);
      const marker: Marker = {
        text: markerText(run.ctx.seed, run.ctx.nextMarker()),
        image: disk.image,
        slot: disk.takeSlot(),
        issuedAt: Date.now(),
        state: 'pending',
        revertsAtIssue: g.revertsBegun,
      };
      run.world.markers.set(marker.text, marker);
      disk.issue(marker);
      const out = await g.console.run(writeMarkerCommand(disk.image, marker.slot, marker.text), COMMAND_MS);
      const undisturbed =
        marker.state === 'pending' &&
        g.revertsBegun === marker.revertsAtIssue &&
        run.world.activeOn(g.id, RAM_CHANGING).length === 0 &&
        !run.cutOff(g.id);
      if (printed(out, 'WROTE') && undisturbed) {
        marker.state = 'synced';
        disk.confirm(marker);
        run.note(`${marker.text} synced at ${disk.image} slot ${marker.slot}`);
      } else if (printed(out, 'NODEV') && undisturbed) {
        run.world.markers.delete(marker.text);
        disk.withdraw(marker);
        run.note(`${disk.image} not visible in the guest yet`);
      } else {
        marker.state = 'unknown';
        run.note(`${marker.text} at ${disk.image} slot ${marker.slot}: fate unknown (${out ?? 'no answer'})`);
      }
    });
  },
};

/** Reads every attached disk's markers through the guest (O_DIRECT): the synced ones must all be there. */
const verifyMarkers: OpSpec = {
  kind: 'verify',
  scope: 'guest',
  weight: (_ctx, g, v) => (v?.state !== 'running' ? 0 : g?.verifyWanted === true ? 12 : 1),
  run: (run, g) => {
    if (!g) return Promise.resolve();
    return g.console.exclusive(async () => {
      if (!(await g.console.probe(SHELL_READY_MS))) return run.note('no shell');
      for (const disk of attached(run, g)) {
        const reverts = g.revertsBegun;
        const expected = new Set(disk.present);
        const out = await g.console.run(readMarkersCommand(disk.image, disk.slotsUsed), COMMAND_MS);
        const disturbed =
          g.revertsBegun !== reverts || run.world.activeOn(g.id, RAM_CHANGING).length > 0 || run.cutOff(g.id);
        if (out === undefined || !printed(out, 'READOK') || disturbed) {
          run.note(`${disk.image}: no reading (${disturbed ? 'disturbed' : (out ?? 'no answer')})`);
          continue;
        }
        const found = parseMarkers(out);
        run.note(`${disk.image}: ${found.size} markers read, ${expected.size} expected`);
        checkMarkers(run.ctx, disk, found, 'read through the guest');
      }
      g.verifyWanted = false;
    });
  },
};

export const GUEST_OPS: OpSpec[] = [writeMarker, verifyMarkers];
