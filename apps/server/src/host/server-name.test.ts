import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '../store/db.ts';
import { SettingsRepo } from '../store/settings-repo.ts';
import { ServerName } from './server-name.ts';

describe('ServerName', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vw-name-'));
  const db = openDb(path.join(dir, 'virtweb.db'));
  afterAll(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is the rename, else VIRTWEB_NAME, else the hostname', () => {
    const settings = new SettingsRepo(db);
    expect(new ServerName(settings).get()).toBe(os.hostname());
    const named = new ServerName(settings, 'lab-1');
    expect(named.get()).toBe('lab-1');
    named.set('renamed');
    expect(named.get()).toBe('renamed');
  });
});
