import net from 'node:net';
import path from 'node:path';
import { READY, type TestServer, WsCollector } from '../../apps/server/test/harness.ts';

export interface BenchGuest {
  id: string;
  /** The guest's VNC socket (`-vnc unix:`), which all three paths reach. */
  vncPath: string;
  /** The guest's human monitor socket (HMP). */
  monitorPath: string;
}

/** Creates and boots the test guest (CD, TCG) through the API and waits for its serial shell. */
export async function bootTestGuest(server: TestServer): Promise<BenchGuest> {
  const created = await server.api('POST', '/api/vms', {
    name: 'bench',
    memoryMiB: 256,
    vcpus: 1,
    disks: [],
    cdrom: 'tinylinux.iso',
    boot: 'cdrom',
    accel: 'tcg',
    nics: [],
  });
  if (created.status !== 201) throw new Error(`create VM: ${created.status} ${JSON.stringify(created.body)}`);
  const id = (created.body as { id: string }).id;
  const started = await server.api('POST', `/api/vms/${id}/start`);
  if (started.status !== 202) throw new Error(`start VM: ${started.status} ${JSON.stringify(started.body)}`);
  const serial = await openSerial(server, id);
  await serial.waitFor((c) => c.text.includes(READY), 'the guest ready marker', 90_000);
  serial.ws.close();
  const run = path.join(server.dataDir, 'run', id);
  return { id, vncPath: path.join(run, 'vnc.sock'), monitorPath: path.join(run, 'monitor.sock') };
}

async function openSerial(server: TestServer, id: string): Promise<WsCollector> {
  const serial = new WsCollector(server.ws(`/api/vms/${id}/serial`));
  await serial.opened();
  return serial;
}

/*
 * The test guest has no framebuffer under BIOS (GRUB leaves VGA text mode, so the kernel's vesafb stays off,
 * and bochs-drm is not in its initramfs), so the guest's shell sets the mode itself: the stdvga PCI device has an MMIO BAR
 * (BAR2) with the Bochs VBE registers at +0x500 (16-bit, index * 2), which busybox `devmem` writes through
 * /dev/mem (no driver claims the BAR, so CONFIG_IO_STRICT_DEVMEM allows it).
 *
 * NOTE: /dev/mem read/write (dd) is refused above the end of RAM on x86 (valid_phys_addr_range), so the
 * linear framebuffer in BAR0 cannot be written with dd; only devmem's mmap reaches it, 8 bytes at a time.
 * With VBE enabled qemu maps the legacy window at 0xa0000 to the 64 KiB of VRAM that the VBE bank register
 * selects, and that window is below the end of RAM: dd into it paints VRAM one 64 KiB band at a time. The
 * script fills the screen and PAN_ROWS more rows with noise, once (a few seconds under TCG).
 */
const DISPLAY_SCRIPT = String.raw`cat > /tmp/vw-display <<'EOF'
for d in /sys/bus/pci/devices/*; do
  [ "$(cat $d/vendor):$(cat $d/device)" = "0x1234:0x1111" ] && dev=$d
done
set -- $(sed -n 3p $dev/resource)
R=$(($1 + 0x500))
devmem $((R + 8)) 16 0; devmem $((R + 2)) 16 __W__; devmem $((R + 4)) 16 __H__
devmem $((R + 6)) 16 32; devmem $((R + 8)) 16 0x41
dd if=/dev/urandom of=/tmp/noise bs=65536 count=4 2>/dev/null
b=0
while [ $b -lt __BANDS__ ]; do
  devmem $((R + 10)) 16 $b
  dd if=/tmp/noise of=/dev/mem bs=4096 seek=$((0xa0)) skip=$((b % 48)) count=16 2>/dev/null
  b=$((b + 1))
done
echo "vw-display $(devmem $((R + 2)) 16) $(devmem $((R + 4)) 16) painted $b"
EOF
sh /tmp/vw-display
`;

/** Rows of noise beyond the screen: the panner scrolls through them. */
const PAN_ROWS = 256;

/** Switches the guest's display to `width`x`height`x32 and fills its VRAM with noise. */
export async function setUpDisplay(
  server: TestServer,
  id: string,
  width: number,
  height: number,
): Promise<void> {
  const bands = Math.ceil(((height + PAN_ROWS) * width * 4) / 65536);
  const serial = await openSerial(server, id);
  const script = DISPLAY_SCRIPT.replaceAll('__W__', String(width))
    .replaceAll('__H__', String(height))
    .replaceAll('__BANDS__', String(bands));
  serial.ws.send(script);
  const want = `vw-display 0x${hex4(width)} 0x${hex4(height)} painted ${bands}`;
  await serial.waitFor((c) => c.text.includes(want), `the guest display at ${width}x${height}`, 120_000);
  serial.ws.close();
}

function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}

/**
 * Keeps the whole screen changing without costing the guest CPU: every `intervalMs` the VBE Y offset (the
 * first VRAM row shown) moves by one row, written from the host through qemu's human monitor (HMP `o`, an
 * I/O port write to the VBE index/data ports 0x1ce/0x1cf), so every row of the screen changes every time.
 * qemu backs its VNC refresh off by 50 ms for each 30 ms tick that finds nothing new, so a screen that ever
 * rests would measure that back-off rather than the transport.
 *
 * NOTE: in HMP formats `/w` is 32 bits; a 32-bit access to the 16-bit VBE ports is dropped, hence `/h`.
 */
export class Panner {
  private sock: net.Socket | undefined;
  private timer: NodeJS.Timeout | undefined;
  private row = 0;

  constructor(
    readonly monitorPath: string,
    readonly intervalMs = 10,
  ) {}

  async start(): Promise<void> {
    const sock = net.createConnection(this.monitorPath);
    this.sock = sock;
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', resolve);
      sock.once('error', reject);
    });
    sock.on('data', () => undefined); // the monitor's echo and prompts
    sock.on('error', () => undefined);
    sock.write('o /h 0x1ce 9\n'); // VBE_DISPI_INDEX_Y_OFFSET
    this.timer = setInterval(() => {
      this.row = (this.row + 1) % PAN_ROWS;
      sock.write(`o /h 0x1cf ${this.row}\n`);
    }, this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.sock?.destroy();
  }
}
