import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { clientFiles, makeStreamCerts, withCredsDir } from './stream-certs.ts';

const run = promisify(execFile);

describe('the certificates of an encrypted migration stream', () => {
  it('chain the server and the client certificate to a CA made for this migration alone', async () => {
    const certs = await makeStreamCerts();
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vw-certs-test-'));
    try {
      const files = { ...certs.server, ...clientFiles(certs.client) };
      for (const [name, text] of Object.entries(files)) await fs.writeFile(path.join(dir, name), text);
      const verify = (purpose: string, cert: string) =>
        run('openssl', [
          'verify',
          '-purpose',
          purpose,
          '-CAfile',
          path.join(dir, 'ca-cert.pem'),
          path.join(dir, cert),
        ]);
      await expect(verify('sslserver', 'server-cert.pem')).resolves.toBeDefined();
      await expect(verify('sslclient', 'client-cert.pem')).resolves.toBeDefined();
      // A client certificate is no server certificate.
      await expect(verify('sslserver', 'client-cert.pem')).rejects.toThrow();
      const other = await makeStreamCerts();
      await fs.writeFile(path.join(dir, 'other-ca.pem'), other.client.caCert);
      await expect(
        run('openssl', [
          'verify',
          '-CAfile',
          path.join(dir, 'other-ca.pem'),
          path.join(dir, 'client-cert.pem'),
        ]),
      ).rejects.toThrow();
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('are written for qemu into a private directory that is gone afterwards', async () => {
    const base = await fs.mkdtemp(path.join(os.tmpdir(), 'vw-creds-test-'));
    const granted: string[] = [];
    const access = {
      grant: (f: { readOnly?: readonly string[] }) => (
        granted.push(...(f.readOnly ?? [])),
        Promise.resolve()
      ),
    };
    const dir = path.join(base, 'stream-tls');
    const seen = await withCredsDir(access, dir, { 'ca-cert.pem': 'x' }, async (d) => {
      const stat = await fs.stat(d);
      return { mode: stat.mode & 0o777, text: await fs.readFile(path.join(d, 'ca-cert.pem'), 'utf8') };
    });
    expect(seen).toEqual({ mode: 0o700, text: 'x' });
    expect(granted).toEqual([path.join(dir, 'ca-cert.pem')]);
    await expect(fs.access(dir)).rejects.toThrow();
    await fs.rm(base, { recursive: true, force: true });
  });
});
