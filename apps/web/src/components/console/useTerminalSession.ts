import { useRef, useState, type RefObject } from 'react';
import type { ITerminalOptions } from '@xterm/xterm';
import { WS_MAX_MESSAGE_BYTES } from '@virtweb/protocol';
import { openConsoleSocket, type SerialPortKind } from '../../api/consoles.ts';
import { useConsoleSession, type ConsolePhase } from './useConsoleSession.ts';
import { attachTerminal, useTerminal, type Terminal } from './useTerminal.ts';

interface Options {
  vmId: string;
  /** Which of the guest's text consoles the terminal speaks to. */
  kind: 'monitor' | 'serial' | SerialPortKind;
  phase: ConsolePhase;
  generation: string;
  /** Read once, when the terminal is made. */
  terminal: ITerminalOptions;
  /** See `AttachOptions.muteFirstFrame`. */
  muteFirstFrame?: boolean;
  /** Set up per connection, on the terminal (e.g. key handlers); returns its teardown. */
  onConnect?: (term: Terminal) => () => void;
}

/**
 * A terminal joined to one of the guest's text consoles for as long as the console session lasts
 * (`useConsoleSession`): each connection opens a socket, attaches the terminal and closes it again.
 * `used` turns true at the first frame and stays (the terminal keeps the last output after the guest stops).
 */
export function useTerminalSession(container: RefObject<HTMLElement | null>, opts: Options) {
  const termRef = useTerminal(container, opts.terminal);
  const socketRef = useRef<WebSocket | null>(null);
  const [used, setUsed] = useState(false);

  const { status, reconnect } = useConsoleSession(opts.phase, opts.generation, ({ opened, closed }) => {
    const term = termRef.current;
    if (!term) return () => undefined;
    const socket = openConsoleSocket(opts.vmId, opts.kind);
    socketRef.current = socket;
    const disconnect = opts.onConnect?.(term);
    const onOpen = () => {
      setUsed(true);
      opened();
    };
    const detach = attachTerminal(term, socket, {
      opened: onOpen,
      closed,
      muteFirstFrame: opts.muteFirstFrame,
      maxMessageBytes: WS_MAX_MESSAGE_BYTES[opts.kind === 'monitor' ? 'monitor' : 'serial'],
    });
    return () => {
      detach();
      disconnect?.();
      socketRef.current = null;
      socket.close(1000, 'closed by the page');
    };
  });

  return { termRef, socketRef, used, status, reconnect };
}
