import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostNames } from './host-names.ts';
import { generateSelfSigned } from './self-signed.ts';
import { loadTlsMaterial, TlsSetupError } from './tls-material.ts';

const NAMES = { dns: ['alpha', 'alpha.lan', 'localhost'], ips: ['192.0.2.7', '127.0.0.1', '::1'] };

describe('generated certificate', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vw-tls-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is made on the first load for the host names, with a matching 0600 key, and kept afterwards', async () => {
    const tlsDir = path.join(dir, 'tls');
    const setting = { mode: 'generated', dir: tlsDir } as const;
    const first = await loadTlsMaterial(setting, (c, k) => generateSelfSigned(NAMES, c, k));
    if (!first) throw new Error('TLS is on');
    expect(first.generatedNow).toBe(true);
    expect(first.source).toBe('generated');
    const cert = new crypto.X509Certificate(fs.readFileSync(path.join(tlsDir, 'cert.pem')));
    expect(cert.subjectAltName).toBe(
      'DNS:alpha, DNS:alpha.lan, DNS:localhost, IP Address:192.0.2.7, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1',
    );
    expect(first.names).toContain('alpha.lan');
    expect(first.fingerprint).toBe(cert.fingerprint256);
    expect(first.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(cert.checkPrivateKey(crypto.createPrivateKey(first.key))).toBe(true);
    expect(cert.ca).toBe(false);
    expect(fs.statSync(path.join(tlsDir, 'key.pem')).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(tlsDir).sort()).toEqual(['cert.pem', 'key.pem']);

    const again = await loadTlsMaterial(setting, () => Promise.reject(new Error('made again')));
    expect(again).toMatchObject({ generatedNow: false, fingerprint: first.fingerprint });
  });

  it('refuses a key that is not the certificate’s, naming both files', async () => {
    const a = path.join(dir, 'a');
    const b = path.join(dir, 'b');
    await generateSelfSigned(NAMES, `${a}.crt`, `${a}.key`);
    await generateSelfSigned(NAMES, `${b}.crt`, `${b}.key`);
    const load = loadTlsMaterial({ mode: 'files', certPath: `${a}.crt`, keyPath: `${b}.key` });
    await expect(load).rejects.toThrow(TlsSetupError);
    await expect(load).rejects.toThrow(`the key ${b}.key does not belong to the certificate ${a}.crt`);
    const good = await loadTlsMaterial({ mode: 'files', certPath: `${a}.crt`, keyPath: `${a}.key` });
    expect(good).toMatchObject({ source: 'files', generatedNow: false });
  });

  it('refuses unreadable or non-PEM files, saying which setting', async () => {
    const missing = path.join(dir, 'missing.pem');
    await expect(loadTlsMaterial({ mode: 'files', certPath: missing, keyPath: missing })).rejects.toThrow(
      `VIRTWEB_TLS_CERT: cannot read ${missing} (ENOENT)`,
    );
    const junk = path.join(dir, 'junk.pem');
    fs.writeFileSync(junk, 'not a certificate');
    await expect(loadTlsMaterial({ mode: 'files', certPath: junk, keyPath: junk })).rejects.toThrow(
      `${junk} is not a PEM certificate`,
    );
  });

  it('is off when TLS is off', async () => {
    expect(await loadTlsMaterial({ mode: 'off' })).toBeUndefined();
  });
});

describe('hostNames', () => {
  it('lists the hostname, localhost and every non-loopback, non-link-local address, plus 127.0.0.1 and ::1', async () => {
    const iface = (address: string, internal = false) =>
      ({ address, internal, family: address.includes(':') ? 'IPv6' : 'IPv4' }) as os.NetworkInterfaceInfo;
    const names = await hostNames('vmhost', {
      lo: [iface('127.0.0.1', true), iface('::1', true)],
      eth0: [iface('10.1.2.3'), iface('fe80::1'), iface('2001:db8::5')],
      br0: [iface('192.168.0.2')],
    });
    expect(names.dns).toContain('vmhost');
    expect(names.dns).toContain('localhost');
    expect(names.ips).toEqual(['10.1.2.3', '2001:db8::5', '192.168.0.2', '127.0.0.1', '::1']);
  });
});
