import net from 'node:net';
import zlib from 'node:zlib';

/**
 * The guest display's size as qemu's VNC server announces it (RFB ServerInit): an independent check of the
 * screenshot's size. Talks RFB 3.8 with security type None, as qemu's `-vnc unix:` offers without a password.
 */
export async function vncDisplaySize(socketPath: string): Promise<{ width: number; height: number }> {
  const sock = net.createConnection(socketPath);
  let buf = Buffer.alloc(0);
  let wake: () => void = () => undefined;
  sock.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    wake();
  });
  const read = async (n: number): Promise<Buffer> => {
    while (buf.length < n) await new Promise<void>((r) => (wake = r));
    const out = buf.subarray(0, n);
    buf = buf.subarray(n);
    return out;
  };
  try {
    const version = (await read(12)).toString('latin1');
    if (!version.startsWith('RFB ')) throw new Error(`not RFB: ${version}`);
    sock.write('RFB 003.008\n');
    const types = [...(await read((await read(1))[0] ?? 0))];
    if (!types.includes(1)) throw new Error(`VNC wants authentication: types ${types.join(',')}`);
    sock.write(Buffer.from([1]));
    if ((await read(4)).readUInt32BE(0) !== 0) throw new Error('VNC security handshake failed');
    sock.write(Buffer.from([1])); // ClientInit: shared
    const init = await read(4);
    return { width: init.readUInt16BE(0), height: init.readUInt16BE(2) };
  } finally {
    sock.destroy();
  }
}

/** Reads an 8-bit RGB PNG (filters None/Sub/Up) back to its size and pixels, for assertions on content. */
export function decodePng(png: Buffer): { width: number; height: number; colours: Set<number> } {
  let pos = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  while (pos < png.length) {
    const len = png.readUInt32BE(pos);
    const type = png.toString('latin1', pos + 4, pos + 8);
    const data = png.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      if (data[8] !== 8 || data[9] !== 2) throw new Error('expected 8-bit RGB');
    } else if (type === 'IDAT') idat.push(data);
    pos += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * 3;
  const rows: Buffer[] = [];
  const colours = new Set<number>();
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const row = Buffer.from(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
    for (let x = 0; x < stride; x++) {
      const left = x < 3 ? 0 : (row[x - 3] ?? 0);
      const up = rows[y - 1]?.[x] ?? 0;
      if (filter === 1) row[x] = ((row[x] ?? 0) + left) & 0xff;
      else if (filter === 2) row[x] = ((row[x] ?? 0) + up) & 0xff;
      else if (filter !== 0) throw new Error(`unexpected PNG filter ${filter}`);
    }
    rows.push(row);
    for (let x = 0; x < stride; x += 3) colours.add(row.readUIntBE(x, 3));
  }
  return { width, height, colours };
}
