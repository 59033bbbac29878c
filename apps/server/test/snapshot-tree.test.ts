import { describe, expect, it } from 'vitest';
import { useServer } from './server-fixture.ts';
import { createGuest } from './harness.ts';
import { hmp, powerOff, waitVm } from './storage-guest.ts';

interface TreeSnapshot {
  name: string;
  parent?: string;
  description?: string;
  current: boolean;
}

describe('snapshots as a tree: parents, the current one and descriptions, recorded by virtweb', () => {
  const server = useServer({ withGuestIso: true });

  it('takes s1, s2, reverts to s1, takes s3 under s1; deleting s1 makes roots of its children', async () => {
    expect(
      (await server.api('POST', '/api/images', { name: 'root.qcow2', format: 'qcow2', size: '16M' })).status,
    ).toBe(201);
    const { id } = await createGuest(server, 'tree', { disks: [{ image: 'root.qcow2' }], boot: 'cdrom' });
    const base = `/api/vms/${id}/snapshots`;
    const tree = async () =>
      ((await server.api('GET', base)).body as TreeSnapshot[]).map((s) => ({
        name: s.name,
        parent: s.parent ?? null,
        current: s.current,
        description: s.description ?? null,
      }));
    const take = async (name: string, description?: string) => {
      const res = await server.api('POST', base, { name, description });
      expect([name, res.status]).toEqual([name, 201]);
      return res.body as TreeSnapshot;
    };

    expect((await server.api('POST', `/api/vms/${id}/start`)).status).toBe(202);
    await waitVm(server, id, (v) => v.state === 'running', 'running');
    expect(await take('s1', 'fresh boot')).toMatchObject({
      name: 's1',
      current: true,
      description: 'fresh boot',
    });
    expect(await take('s2')).toMatchObject({ name: 's2', parent: 's1', current: true });
    const reverted = await server.api('POST', `${base}/s1/revert`);
    expect(reverted).toMatchObject({ status: 200, body: { name: 's1', current: true } });
    await waitVm(server, id, (v) => v.state === 'running', 'running after the revert');
    expect(await take('s3')).toMatchObject({ name: 's3', parent: 's1', current: true });
    // A snapshot virtweb did not take is a root without a description, never current.
    await hmp(server.dataDir, id, 'savevm hmp');
    expect(await tree()).toEqual([
      { name: 's1', parent: null, current: false, description: 'fresh boot' },
      { name: 's2', parent: 's1', current: false, description: null },
      { name: 's3', parent: 's1', current: true, description: null },
      { name: 'hmp', parent: null, current: false, description: null },
    ]);

    const described = await server.api('PUT', `${base}/s2`, { description: 'before the upgrade' });
    expect(described).toMatchObject({ status: 200, body: { name: 's2', description: 'before the upgrade' } });
    expect((await server.api('PUT', `${base}/hmp`, { description: 'by hand' })).status).toBe(200);
    expect((await server.api('PUT', `${base}/nope`, { description: 'x' })).status).toBe(404);
    expect((await server.api('PUT', `${base}/s2`, { description: 'x'.repeat(501) })).status).toBe(400);
    expect((await server.api('POST', base, { name: 's9', description: 'a\u0000b' })).status).toBe(400);

    expect((await server.api('DELETE', `${base}/s1`)).status).toBe(204);
    expect(await tree()).toEqual([
      { name: 's2', parent: null, current: false, description: 'before the upgrade' },
      { name: 's3', parent: null, current: true, description: null },
      { name: 'hmp', parent: null, current: false, description: 'by hand' },
    ]);

    // Stopped (qemu-img): a disk-only snapshot is a child of the current one too; deleting the current one
    // makes its parent current.
    await powerOff(server, id);
    expect(await take('off')).toMatchObject({ name: 'off', parent: 's3', current: true });
    expect((await server.api('DELETE', `${base}/off`)).status).toBe(204);
    expect((await tree()).find((s) => s.current)?.name).toBe('s3');
  }, 240_000);
});
