// A viewer that may look but not touch (the `read` role): its RFB messages to qemu are read one by one and only
// those that ask for pixels pass; keys, pointer, clipboard and qemu's own extensions never reach the guest.

/** Client-to-server RFB message types (RFC 6143 §7.5) and qemu's extension (255). */
const SET_PIXEL_FORMAT = 0;
const SET_ENCODINGS = 2;
const FRAMEBUFFER_UPDATE_REQUEST = 3;
const KEY_EVENT = 4;
const POINTER_EVENT = 5;
const CLIENT_CUT_TEXT = 6;

type Stage = 'version' | 'security' | 'init' | 'messages';

/**
 * Follows the viewer's side of an RFB session (ProtocolVersion, the security type it picks, ClientInit, then
 * messages) and keeps only what a view-only viewer may send. Returns the bytes to forward for each chunk, or
 * an error text for a message it cannot size (the session is then ended: an unknown length would desync).
 */
export class ViewOnlyRfbFilter {
  private stage: Stage = 'version';
  private pending: Buffer = Buffer.alloc(0);
  private rfb33 = false;
  /** Bytes of a dropped clipboard text still to come: skipped as they arrive, never buffered. */
  private skipping = 0;

  filter(chunk: Buffer): Buffer | string {
    let data = chunk;
    if (this.skipping > 0) {
      const n = Math.min(this.skipping, data.length);
      this.skipping -= n;
      data = data.subarray(n);
    }
    this.pending = this.pending.length === 0 ? data : Buffer.concat([this.pending, data]);
    const out: Buffer[] = [];
    for (;;) {
      if (this.stage === 'messages' && this.pending[0] === CLIENT_CUT_TEXT && this.pending.length >= 8) {
        const text = this.pending.readUInt32BE(4);
        const here = Math.min(text, this.pending.length - 8);
        this.skipping = text - here;
        this.pending = this.pending.subarray(8 + here);
        if (this.skipping > 0) break;
        continue;
      }
      const size = this.nextSize();
      if (typeof size === 'string') return size;
      if (size === undefined || this.pending.length < size) break;
      const message = this.pending.subarray(0, size);
      this.pending = this.pending.subarray(size);
      if (this.allowed(message)) out.push(message);
    }
    return Buffer.concat(out);
  }

  /** The length of the next whole unit, undefined when more bytes are needed to tell. */
  private nextSize(): number | string | undefined {
    const p = this.pending;
    switch (this.stage) {
      case 'version':
        return 12;
      case 'security':
        return 1;
      case 'init':
        return 1;
      case 'messages': {
        const type = p[0];
        if (type === undefined) return undefined;
        if (type === SET_PIXEL_FORMAT) return 20;
        if (type === FRAMEBUFFER_UPDATE_REQUEST) return 10;
        if (type === KEY_EVENT) return 8;
        if (type === POINTER_EVENT) return 6;
        if (type === SET_ENCODINGS) return p.length < 4 ? undefined : 4 + 4 * p.readUInt16BE(2);
        if (type === CLIENT_CUT_TEXT) return undefined; // its header is still incomplete (see filter)
        return `RFB message type ${type} is not for a view-only viewer`;
      }
    }
  }

  private allowed(unit: Buffer): boolean {
    switch (this.stage) {
      case 'version':
        // NOTE: RFB 3.3 has the server pick the security type: the client sends no byte for it.
        this.rfb33 = unit.toString('latin1') === 'RFB 003.003\n';
        this.stage = this.rfb33 ? 'init' : 'security';
        return true;
      case 'security':
        this.stage = 'init';
        return true;
      case 'init':
        this.stage = 'messages';
        return true;
      case 'messages': {
        const type = unit[0];
        return type === SET_PIXEL_FORMAT || type === SET_ENCODINGS || type === FRAMEBUFFER_UPDATE_REQUEST;
      }
    }
  }
}
