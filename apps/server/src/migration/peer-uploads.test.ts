import { describe, expect, it } from 'vitest';
import { PeerUploads } from './peer-uploads.ts';

/** Records the images deleted. */
function uploadsOver(): { uploads: PeerUploads; deleted: string[] } {
  const deleted: string[] = [];
  const uploads = new PeerUploads({
    delete: (name: string) => {
      deleted.push(name);
      return Promise.resolve();
    },
  });
  return { uploads, deleted };
}

describe('PeerUploads', () => {
  it('lets a token remove what it uploaded, once', async () => {
    const { uploads, deleted } = uploadsOver();
    uploads.note('disk.qcow2', 'tok-a');
    await uploads.remove('disk.qcow2', 'tok-a');
    expect(deleted).toEqual(['disk.qcow2']);
    await expect(uploads.remove('disk.qcow2', 'tok-a')).rejects.toMatchObject({ kind: 'notFound' });
  });

  it("refuses another token's upload, an image nobody uploaded, and an upload of long ago", async () => {
    const { uploads, deleted } = uploadsOver();
    const t0 = Date.now();
    uploads.note('disk.qcow2', 'tok-a', t0);
    await expect(uploads.remove('disk.qcow2', 'tok-b')).rejects.toMatchObject({ kind: 'notFound' });
    await expect(uploads.remove('local.qcow2', 'tok-a')).rejects.toMatchObject({ kind: 'notFound' });
    await expect(uploads.remove('disk.qcow2', 'tok-a', t0 + 2 * 3600_000)).rejects.toMatchObject({
      kind: 'notFound',
    });
    expect(deleted).toEqual([]);
  });
});
