import { useRef } from 'react';
import { serialLogUrl } from '../../api/consoles.ts';
import { ApiError } from '../../api/errors.ts';
import { useNotify } from '../notify/context.ts';
import { SessionBanner } from './SessionBanner.tsx';
import type { ConsolePhase } from './useConsoleSession.ts';
import type { Terminal } from './useTerminal.ts';
import { useTerminalSession } from './useTerminalSession.ts';
import './console.css';
import './terminal.css';

interface Props {
  vmId: string;
  vmName: string;
  phase: ConsolePhase;
  generation: string;
  /** ttyS<port>: 0 is the console (scrollback replayed, logged); 1 to 3 are raw ports without either. */
  port?: 0 | 1 | 2 | 3;
}

/** Ctrl+Shift+C copies the selection, Ctrl+Shift+V pastes (the browser's paste event, which xterm sends). */
function clipboardKeys(term: Terminal, onCopyError: (err: unknown) => void) {
  return (e: KeyboardEvent): boolean => {
    if (e.type !== 'keydown' || !e.ctrlKey || !e.shiftKey || e.altKey || e.metaKey) return true;
    if (e.code === 'KeyC') {
      const text = term.getSelection();
      if (text) navigator.clipboard.writeText(text).catch(onCopyError);
      e.preventDefault();
      return false;
    }
    // Not handled by xterm (it would send ^V): the browser's paste follows.
    return e.code !== 'KeyV';
  };
}

/**
 * The guest's first serial port as a terminal: the last 64 KiB are replayed on connect, keys go to the
 * guest, copy and paste work with the selection and the clipboard.
 */
export function SerialTerminal({ vmId, vmName, phase, generation, port = 0 }: Props) {
  const container = useRef<HTMLDivElement>(null);
  const notify = useNotify();

  const clipboardError = (what: string) => (err: unknown) =>
    notify.error(
      `Could not ${what}`,
      new ApiError(0, 'clipboard_denied', err instanceof Error ? err.message : 'the browser refused'),
    );

  const { termRef, used, status, reconnect } = useTerminalSession(container, {
    vmId,
    kind: port === 0 ? 'serial' : `serial${port}`,
    phase,
    generation,
    terminal: { convertEol: false },
    // The console's first frame is the replayed scrollback; the other ports have none.
    muteFirstFrame: port === 0,
    onConnect: (term) => {
      term.attachCustomKeyEventHandler(clipboardKeys(term, clipboardError('copy the selection')));
      return () => term.attachCustomKeyEventHandler(() => true);
    },
  });

  const copy = () => {
    const text = termRef.current?.getSelection() ?? '';
    if (text) navigator.clipboard.writeText(text).catch(clipboardError('copy the selection'));
    termRef.current?.focus();
  };
  const paste = () => {
    navigator.clipboard
      .readText()
      .then((text) => {
        termRef.current?.paste(text);
        termRef.current?.focus();
      })
      .catch(clipboardError('read the clipboard'));
  };

  const connected = status.kind === 'open';
  return (
    <div className="console serial">
      <div className="console-toolbar" role="group" aria-label="Serial console controls">
        <button type="button" className="btn" onClick={copy} disabled={!connected}>
          Copy selection
        </button>
        <button type="button" className="btn" onClick={paste} disabled={!connected}>
          Paste
        </button>
        {/* Every run's output, also from before a server restart (a file, not the scrollback). */}
        {port === 0 && (
          <a className="btn" href={serialLogUrl(vmId)} download={`${vmName}-serial.log`}>
            Download log
          </a>
        )}
        <span className="console-state muted small">
          {connected ? `ttyS${port} of ${vmName} · ` : ''}Ctrl+Shift+C copies, Ctrl+Shift+V pastes
        </span>
      </div>
      <SessionBanner what="serial console" status={status} onReconnect={reconnect} />
      {/* Kept (dimmed) after the guest stopped: its last output may say why. */}
      <div
        ref={container}
        className={used ? 'terminal' : 'terminal unused'}
        role="group"
        aria-label={port === 0 ? `Serial console of ${vmName}` : `ttyS${port} of ${vmName}`}
        aria-disabled={!connected}
      />
    </div>
  );
}
