// qemu-img's failures as domain errors: only a qemu-img that cannot run is the host's fault (a 500); what it
// refuses or gives up on while reading an image a client chose is a refusal of the request.
import { ImageExistsError, QemuImgError } from '@virtweb/qemu';
import { describe, expect, it } from 'vitest';
import { fromQemuImg } from './qemu-img-errors.ts';

const args = ['info', 'x.qcow2'];
const failed = (
  fields: { exitCode: number | null; signal?: NodeJS.Signals | null; stderr: string },
  message = 'qemu-img failed',
) => new QemuImgError(message, { args, ...fields });

describe('fromQemuImg', () => {
  it('is a HostFault only when qemu-img did not run at all', () => {
    const err = fromQemuImg(
      failed({ exitCode: null, stderr: '' }, 'cannot run qemu-img: spawn ENOENT'),
      'creating x',
    );
    expect(err).toMatchObject({
      kind: 'hostFault',
      code: 'qemu_failed',
      message: 'creating x: cannot run qemu-img: spawn ENOENT',
    });
  });

  it('refuses the request (Invalid) when qemu-img was ended by its time limit on the image', () => {
    const timedOut = failed(
      { exitCode: null, signal: 'SIGTERM', stderr: '' },
      'qemu-img info failed: no answer within 15000 ms',
    );
    expect(fromQemuImg(timedOut, 'reading backingImage b')).toMatchObject({
      kind: 'invalid',
      code: 'qemu_failed',
      message: 'reading backingImage b: qemu-img info failed: no answer within 15000 ms',
    });
  });

  it("keeps qemu-img's words: a lock is in_use, a full disk NoSpace, the rest Invalid", () => {
    const lock = failed({ exitCode: 1, stderr: 'Failed to get "write" lock' });
    expect(fromQemuImg(lock, 'resizing x')).toMatchObject({
      kind: 'conflict',
      code: 'in_use',
      message: 'resizing x: Failed to get "write" lock',
    });
    const full = failed({ exitCode: 1, stderr: 'No space left on device' });
    expect(fromQemuImg(full, 'converting x')).toMatchObject({ kind: 'noSpace', code: 'qemu_failed' });
    const bad = failed({ exitCode: 1, stderr: 'Image is not in qcow2 format' });
    expect(fromQemuImg(bad, 'creating x')).toMatchObject({
      kind: 'invalid',
      code: 'qemu_failed',
      message: 'creating x: Image is not in qcow2 format',
    });
    expect(fromQemuImg(new ImageExistsError('/d/x'), 'converting y')).toMatchObject({
      kind: 'conflict',
      code: 'already_exists',
    });
    const other = new Error('not qemu-img');
    expect(fromQemuImg(other, 'x')).toBe(other);
  });
});
