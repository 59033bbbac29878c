import { useEffect, useRef, type RefObject } from 'react';
import { FitAddon } from '@xterm/addon-fit';
import { Terminal, type ITerminalOptions } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';

export type { Terminal } from '@xterm/xterm';

const THEME: ITerminalOptions['theme'] = {
  background: '#0f1216',
  foreground: '#d8dee9',
  cursor: '#f0a500',
  selectionBackground: '#3b5b8c',
};

/**
 * An xterm.js terminal living as long as the component, opened into `container` and fitted to it whenever
 * the container changes size. The ref is null before mount and after unmount (`term.dispose()`).
 */
export function useTerminal(
  container: RefObject<HTMLElement | null>,
  options: ITerminalOptions,
): RefObject<Terminal | null> {
  const termRef = useRef<Terminal | null>(null);
  // Options are read once: a terminal is not re-created when a parent re-renders.
  const initial = useRef(options);

  useEffect(() => {
    const el = container.current;
    if (!el) return;
    const term = new Terminal({
      fontFamily: "ui-monospace, 'DejaVu Sans Mono', Menlo, monospace",
      fontSize: 14,
      // NOTE: a cell as high as the font (lineHeight 1) is shorter than DejaVu Sans Mono's ascent + descent
      // (1.164 + 0.236 em): the DOM renderer clips each row, and the underscore, drawn at the very bottom of
      // the descent, vanished (system_reset read "system reset"). 1.2 leaves room below every glyph.
      lineHeight: 1.2,
      theme: THEME,
      scrollback: 5000,
      ...initial.current,
    });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(el);
    let frame = 0;
    const refit = () => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        // A hidden container (zero size) proposes nothing; fit() then leaves the size alone.
        if (fit.proposeDimensions()) fit.fit();
      });
    };
    const observer = new ResizeObserver(refit);
    observer.observe(el);
    refit();
    termRef.current = term;
    return () => {
      observer.disconnect();
      cancelAnimationFrame(frame);
      termRef.current = null;
      term.dispose();
    };
  }, [container]);

  return termRef;
}

const encoder = new TextEncoder();

export interface AttachOptions {
  /** The session became usable: called on the first frame (the server's greeting or scrollback replay). */
  opened: () => void;
  /** The largest message the server takes on this socket (WS_MAX_MESSAGE_BYTES): a paste is sent in pieces. */
  maxMessageBytes: number;
  closed: (close: { code: number; reason: string }) => void;
  /**
   * Drop what the terminal "types" while it renders the first frame: its answers to old queries in a
   * replayed scrollback (cursor position reports) must not reach the guest as input.
   */
  muteFirstFrame?: boolean;
}

/**
 * Joins a terminal and a console socket for one connection: output written as bytes (xterm decodes UTF-8
 * across frames), keys and pastes sent as bytes, in messages the server takes. The first frame starts on a reset terminal. A socket that
 * is refused (opened, then closed with 4409 before any data) never counts as open. Returns the teardown.
 */
export function attachTerminal(term: Terminal, socket: WebSocket, opts: AttachOptions): () => void {
  let first = true;
  let muted = opts.muteFirstFrame === true;
  const send = (bytes: Uint8Array) => {
    if (muted || socket.readyState !== WebSocket.OPEN) return;
    // One larger message would close the socket (1009); the pieces arrive in order.
    for (let at = 0; at < bytes.length; at += opts.maxMessageBytes) {
      socket.send(bytes.subarray(at, at + opts.maxMessageBytes));
    }
  };
  const onData = term.onData((data) => send(encoder.encode(data)));
  // Binary data (some mouse reports) is Latin-1 in a string.
  const onBinary = term.onBinary((data) => send(Uint8Array.from(data, (c) => c.charCodeAt(0))));
  const onMessage = (msg: MessageEvent) => {
    const data: unknown = msg.data;
    const chunk = data instanceof ArrayBuffer ? new Uint8Array(data) : String(data);
    if (!first) {
      term.write(chunk);
      return;
    }
    first = false;
    term.reset();
    term.write(chunk, () => {
      muted = false;
    });
    opts.opened();
  };
  const onClose = (e: CloseEvent) => opts.closed({ code: e.code, reason: e.reason });
  socket.addEventListener('message', onMessage);
  socket.addEventListener('close', onClose);
  return () => {
    socket.removeEventListener('message', onMessage);
    socket.removeEventListener('close', onClose);
    onData.dispose();
    onBinary.dispose();
  };
}
