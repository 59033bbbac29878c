import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ErrorCode } from '@virtweb/protocol';
import { showExpect, type HttpCase } from './check.ts';
import type { Fixture } from './fixture.ts';
import type { RawRequest } from './raw-http.ts';
import type { Expect } from './routes.ts';

const NAME = 'zz-upload.img';

const put = (
  fx: Fixture,
  headers: Record<string, string>,
  body: Buffer | string,
  more: Partial<RawRequest> = {},
) => ({
  method: 'PUT',
  path: `/api/images/${NAME}/upload`,
  headers: { ...fx.auth('session'), 'content-type': 'application/octet-stream', ...headers },
  body,
  ...more,
});

/** An image file made by qemu-img that points at a host file (read back as the upload's bytes). */
function imageNaming(target: string, format: 'qcow2' | 'vmdk'): Buffer {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vw-hostile-'));
  try {
    const file = path.join(dir, `x.${format}`);
    if (format === 'qcow2') {
      execFileSync('qemu-img', ['create', '-q', '-u', '-f', 'qcow2', '-F', 'raw', '-b', target, file, '1M']);
      return fs.readFileSync(file);
    }
    const descriptor = ['# Disk DescriptorFile', 'version=1', 'CID=fffffffe', 'parentCID=ffffffff'];
    return Buffer.from(
      [...descriptor, 'createType="monolithicFlat"', `RW 2048 FLAT "${target}" 0`, ''].join('\n'),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * No `.upload.*.part` file may stay behind. NOTE: a client that stops mid-body gets Node's own 400 at once,
 * while the upload's handler is still running: it may create its `.part` file after the answer, so wait.
 */
async function partsGone(fx: Fixture, settleMs: number): Promise<string | undefined> {
  const dir = path.join(fx.server.dataDir, 'images');
  await new Promise((r) => setTimeout(r, settleMs));
  for (let i = 0; i < 60; i++) {
    if (!fs.readdirSync(dir).some((n) => n.endsWith('.part'))) return undefined;
    await new Promise((r) => setTimeout(r, 50));
  }
  return `a .part file stayed in the images dir: ${fs.readdirSync(dir).join(', ')}`;
}

/** Uploads the server must refuse without keeping a byte: no length, too large, cut short, unsafe content. */
export function uploadCases(): HttpCase[] {
  const cases: [string, Expect, (fx: Fixture) => RawRequest, string?, number?][] = [
    [
      'chunked, without Content-Length',
      [411],
      (fx) => put(fx, { 'transfer-encoding': 'chunked' }, '10\r\n0123456789abcdef\r\n0\r\n\r\n'),
    ],
    [
      'Content-Length: 2^60',
      [413],
      (fx) => put(fx, { 'content-length': String(2 ** 60) }, 'x', { contentLength: false }),
      ErrorCode.tooLarge,
    ],
    [
      'Content-Length: 1e3',
      [400, 411],
      (fx) => put(fx, { 'content-length': '1e3' }, 'x', { contentLength: false }),
    ],
    [
      'cut short (1 KiB of a declared 1 MiB, then the client stops)',
      [400],
      (fx) =>
        put(fx, { 'content-length': String(2 ** 20) }, Buffer.alloc(1024), {
          contentLength: false,
          end: true,
        }),
      undefined,
      300,
    ],
    ['a qcow2 backed by /etc/passwd', [400], (fx) => put(fx, {}, imageNaming('/etc/passwd', 'qcow2'))],
    [
      'a qcow2 backed by a relative ../../etc/passwd',
      [400],
      (fx) => put(fx, {}, imageNaming('../../etc/passwd', 'qcow2')),
    ],
    ['a vmdk whose extent is /etc/shadow', [400], (fx) => put(fx, {}, imageNaming('/etc/shadow', 'vmdk'))],
    [
      'a qcow2 backed by nbd:127.0.0.1:10809',
      [400],
      (fx) => put(fx, {}, imageNaming('nbd:127.0.0.1:10809', 'qcow2')),
    ],
    [
      'a qcow2 backed by json:{…}',
      [400],
      (fx) => put(fx, {}, imageNaming('json:{"file.filename":"/etc/passwd"}', 'qcow2')),
    ],
  ];
  return cases.map(([what, expect, build, code, settleMs = 0]) => ({
    name: `PUT /api/images/:name/upload · ${what} → ${showExpect(expect)}`,
    expect,
    ...(code ? { code } : {}),
    build,
    verify: (_res, fx) => partsGone(fx, settleMs),
  }));
}
