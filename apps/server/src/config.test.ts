import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('has defaults that work out of the box', () => {
    const c = loadConfig({}, '/web');
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 8443,
      accel: 'auto',
      qemuBinary: 'qemu-system-x86_64',
      qemuUser: 'virtweb-qemu',
      demo: true,
    });
    expect(c.dataDir.endsWith('/data')).toBe(true);
    expect(c.imagesDir).toBe(`${c.dataDir}/images`);
  });

  it('speaks TLS by default with a certificate generated in the data dir; the admin’s files or off when asked', () => {
    const c = loadConfig({ VIRTWEB_DATA_DIR: '/srv/vw' }, '/web');
    expect(c.tls).toEqual({ mode: 'generated', dir: '/srv/vw/tls' });
    expect(loadConfig({ VIRTWEB_TLS: 'off' }, '/web').tls).toEqual({ mode: 'off' });
    const files = loadConfig({ VIRTWEB_TLS_CERT: '/etc/vw/c.pem', VIRTWEB_TLS_KEY: '/etc/vw/k.pem' }, '/web');
    expect(files.tls).toEqual({ mode: 'files', certPath: '/etc/vw/c.pem', keyPath: '/etc/vw/k.pem' });
    expect(() => loadConfig({ VIRTWEB_TLS_CERT: '/c.pem' }, '/web')).toThrow(/VIRTWEB_TLS_KEY/);
    expect(() => loadConfig({ VIRTWEB_TLS: 'off', VIRTWEB_TLS_KEY: '/k.pem' }, '/web')).toThrow(
      /VIRTWEB_TLS=off/,
    );
    expect(() => loadConfig({ VIRTWEB_TLS: 'no' }, '/web')).toThrow(/VIRTWEB_TLS/);
  });

  it('takes the display name from VIRTWEB_NAME (checked as a rename is), else none', () => {
    expect(loadConfig({}, '/web').name).toBeUndefined();
    expect(loadConfig({ VIRTWEB_NAME: ' lab-1 ' }, '/web').name).toBe('lab-1');
    expect(() => loadConfig({ VIRTWEB_NAME: 'a\u0007b' }, '/web')).toThrow(/VIRTWEB_NAME/);
  });

  it('rejects bad values with the variable named', () => {
    expect(() => loadConfig({ VIRTWEB_ACCEL: 'hvf' }, '/web')).toThrow(/VIRTWEB_ACCEL/);
    expect(() => loadConfig({ VIRTWEB_PORT: '99999' }, '/web')).toThrow(/VIRTWEB_PORT/);
    expect(() => loadConfig({ VIRTWEB_QEMU_USER: '-o root' }, '/web')).toThrow(/VIRTWEB_QEMU_USER/);
  });

  it('refuses a data dir whose socket paths would not fit in a unix socket address', () => {
    expect(() => loadConfig({ VIRTWEB_DATA_DIR: `/tmp/${'x'.repeat(90)}` }, '/web')).toThrow(/107 bytes/);
  });

  it('trusts no proxy unless VIRTWEB_TRUST_PROXY names them (a hop count or addresses)', () => {
    expect(loadConfig({}, '/web').trustProxy).toBe(false);
    expect(loadConfig({ VIRTWEB_TRUST_PROXY: 'loopback' }, '/web').trustProxy).toEqual(['loopback']);
    expect(loadConfig({ VIRTWEB_TRUST_PROXY: ' 10.0.0.0/8, ::1 ' }, '/web').trustProxy).toEqual([
      '10.0.0.0/8',
      '::1',
    ]);
    expect(loadConfig({ VIRTWEB_TRUST_PROXY: '1' }, '/web').trustProxy).toBe(1);
    for (const bad of ['true', '10.0.0.300', 'loopback,']) {
      expect(() => loadConfig({ VIRTWEB_TRUST_PROXY: bad }, '/web'), bad).toThrow(/VIRTWEB_TRUST_PROXY/);
    }
  });

  it('has edge timeouts in seconds, fractions allowed, never zero', () => {
    expect(loadConfig({}, '/web').edgeTimeouts).toEqual({
      headersMs: 15_000,
      bodyMs: 15_000,
      uploadIdleMs: 60_000,
    });
    const small = loadConfig({ VIRTWEB_BODY_TIMEOUT: '1.5', VIRTWEB_UPLOAD_IDLE: '0.5' }, '/web');
    expect(small.edgeTimeouts).toMatchObject({ bodyMs: 1500, uploadIdleMs: 500 });
    expect(() => loadConfig({ VIRTWEB_UPLOAD_IDLE: '0' }, '/web')).toThrow(/VIRTWEB_UPLOAD_IDLE/);
  });

  it('has the image limits of VIRTWEB_MAX_UPLOAD and VIRTWEB_MAX_IMAGE_SIZE, the latter at most 16T', () => {
    expect(loadConfig({}, '/web').imageLimits).toEqual({
      maxUploadBytes: 64 * 2 ** 30,
      maxImageBytes: 16 * 2 ** 40,
      reserveBytes: 2 ** 30,
    });
    const set = loadConfig({ VIRTWEB_MAX_UPLOAD: '300M', VIRTWEB_MAX_IMAGE_SIZE: '1T' }, '/web');
    expect(set.imageLimits).toMatchObject({ maxUploadBytes: 300 * 2 ** 20, maxImageBytes: 2 ** 40 });
    expect(loadConfig({ VIRTWEB_MAX_IMAGE_SIZE: '64T' }, '/web').imageLimits.maxImageBytes).toBe(
      16 * 2 ** 40,
    );
    expect(loadConfig({ VIRTWEB_MAX_UPLOAD: '' }, '/web').imageLimits.maxUploadBytes).toBe(64 * 2 ** 30);
    for (const bad of ['lots', '0', '-1G']) {
      expect(() => loadConfig({ VIRTWEB_MAX_UPLOAD: bad }, '/web'), bad).toThrow(/VIRTWEB_MAX_UPLOAD=/);
    }
    expect(() => loadConfig({ VIRTWEB_MAX_IMAGE_SIZE: 'x' }, '/web')).toThrow(/VIRTWEB_MAX_IMAGE_SIZE=x/);
  });

  it('serves the web app from VIRTWEB_WEB_DIR, else the default given', () => {
    expect(loadConfig({}, '/web').webDir).toBe('/web');
    expect(loadConfig({ VIRTWEB_WEB_DIR: '/srv/virtweb-web' }, '/web').webDir).toBe('/srv/virtweb-web');
  });
});
