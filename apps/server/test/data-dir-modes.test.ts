import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestServer } from './harness.ts';

const DIRS = ['.', 'images', 'run', 'nvram', 'tpm', 'states'];
const DB_FILES = ['virtweb.db', 'virtweb.db-wal', 'virtweb.db-shm'];

async function modes(dir: string, names: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const n of names) out[n] = ((await fs.stat(path.join(dir, n))).mode & 0o777).toString(8);
  return out;
}
const all = (names: string[], mode: string) => Object.fromEntries(names.map((n) => [n, mode]));

/** Starts a server on `dataDir` and checks the modes while it runs (the WAL and SHM exist then). */
async function expectPrivateWhileRunning(
  dataDir: string,
  stop: (s: TestServer) => Promise<void>,
): Promise<void> {
  const server = await new TestServer(dataDir).start();
  try {
    await server.login();
    expect(await modes(dataDir, DIRS)).toEqual(all(DIRS, '700'));
    expect(await modes(dataDir, DB_FILES)).toEqual(all(DB_FILES, '600'));
  } finally {
    await stop(server);
  }
}

// The data dir holds guests' disks and memory, peers' tokens and the admin's password hash (issue 12).
describe('data dir and database modes', () => {
  let parent: string;
  let dataDir: string;

  beforeAll(async () => {
    parent = await fs.mkdtemp(path.join(os.tmpdir(), 'vw-modes-'));
    await fs.chmod(parent, 0o755);
    dataDir = path.join(parent, 'data');
  });
  afterAll(async () => {
    await fs.rm(parent, { recursive: true, force: true });
  });

  it('creates a new data dir 0700 and the database, its WAL and SHM 0600 from the first start', async () => {
    // Killed: its WAL and SHM stay for the next test.
    await expectPrivateWhileRunning(dataDir, (server) => server.kill9());
  });

  it('narrows an existing data dir and database with wider modes at start', async () => {
    // After a crash the WAL and SHM are still there; make everything readable by all.
    for (const d of DIRS) await fs.chmod(path.join(dataDir, d), 0o755);
    await fs.chmod(path.join(dataDir, 'images'), 0o777);
    for (const f of DB_FILES) await fs.chmod(path.join(dataDir, f), 0o644);
    await expectPrivateWhileRunning(dataDir, (server) => server.stop());
  });
});
