// The framing of libvirt's remote protocol: every packet is its total length (4 bytes, itself included), a
// header of six 4-byte fields, then the XDR body of the call, reply, event or stream data.
import { XdrError, XdrReader, XdrWriter } from './xdr.ts';

/** The programs a client speaks: the main API and the qemu-specific one (monitor commands and events). */
export const Program = { remote: 0x20008086, qemu: 0x20008087 } as const;
export const PROTOCOL_VERSION = 1;

export const MessageType = { call: 0, reply: 1, message: 2, stream: 3 } as const;
export const MessageStatus = { ok: 0, error: 1, continue: 2 } as const;

/** The daemon refuses bigger packets (VIR_NET_MESSAGE_MAX); a bigger one from it is a broken stream. */
export const PACKET_MAX = 32 * 1024 * 1024;
const HEADER_BYTES = 4 + 6 * 4;

export interface Header {
  program: number;
  version: number;
  procedure: number;
  type: number;
  serial: number;
  status: number;
}

export interface Packet {
  header: Header;
  body: Buffer;
}

export function encodePacket(header: Header, body: Buffer): Buffer {
  const head = new XdrWriter()
    .u32(HEADER_BYTES + body.length)
    .u32(header.program)
    .u32(header.version)
    .i32(header.procedure)
    .i32(header.type)
    .u32(header.serial)
    .i32(header.status)
    .toBuffer();
  return Buffer.concat([head, body]);
}

/** Splits a byte stream into packets. */
export class PacketDecoder {
  private pending: Buffer = Buffer.alloc(0);

  /** @throws XdrError on a length no packet can have */
  push(chunk: Buffer): Packet[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const out: Packet[] = [];
    while (this.pending.length >= 4) {
      const len = this.pending.readUInt32BE(0);
      if (len < HEADER_BYTES || len > PACKET_MAX) throw new XdrError(`a packet of ${len} bytes`);
      if (this.pending.length < len) break;
      const r = new XdrReader(this.pending.subarray(4, len));
      const header: Header = {
        program: r.u32(),
        version: r.u32(),
        procedure: r.i32(),
        type: r.i32(),
        serial: r.u32(),
        status: r.i32(),
      };
      out.push({ header, body: r.rest() });
      this.pending = this.pending.subarray(len);
    }
    return out;
  }
}

/** An error libvirt answered with (virterror's code, domain and message). */
export class LibvirtError extends Error {
  override name = 'LibvirtError';
  constructor(
    message: string,
    /** virErrorNumber, e.g. 42 VIR_ERR_NO_DOMAIN, 55 VIR_ERR_OPERATION_INVALID. */
    readonly code: number,
    readonly domain: number,
  ) {
    super(message);
  }
}

/** libvirt's codes the engine tells apart. */
export const LibvirtErrorCode = { noDomain: 42, operationInvalid: 55 } as const;

/** Reads a `remote_error` body. */
export function decodeError(body: Buffer): LibvirtError {
  try {
    const r = new XdrReader(body);
    const code = r.i32();
    const domain = r.i32();
    const message = r.optional((x) => x.string());
    return new LibvirtError(message ?? `libvirt error ${code}`, code, domain);
  } catch {
    return new LibvirtError('libvirt answered with an unreadable error', -1, -1);
  }
}
