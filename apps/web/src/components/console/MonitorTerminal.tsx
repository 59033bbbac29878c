import { useRef } from 'react';
import { SessionBanner } from './SessionBanner.tsx';
import type { ConsolePhase } from './useConsoleSession.ts';
import { useTerminalSession } from './useTerminalSession.ts';
import './console.css';
import './terminal.css';

/** Inserted at the prompt as typed; a trailing space means "type the argument, then Enter". */
const COMMANDS: readonly { text: string; what: string }[] = [
  { text: 'info status', what: 'run state' },
  { text: 'info registers', what: 'CPU registers' },
  { text: 'info cpus', what: 'vCPUs and their threads' },
  { text: 'info block', what: 'disks and CD' },
  { text: 'info network', what: 'NICs and backends' },
  { text: 'info qtree', what: 'device tree' },
  { text: 'change ide1-cd0 ', what: 'insert an ISO (type its path)' },
  { text: 'eject ide1-cd0', what: 'eject the CD' },
  { text: 'stop', what: 'pause the vCPUs' },
  { text: 'cont', what: 'resume' },
  { text: 'system_reset', what: 'reset the guest' },
  { text: 'help', what: 'all commands' },
];

const encoder = new TextEncoder();

interface Props {
  vmId: string;
  vmName: string;
  phase: ConsolePhase;
  generation: string;
}

/**
 * qemu's human monitor (HMP) in a terminal: qemu's own readline does history, Tab completion and `help`.
 * One viewer per guest: a second window is told the monitor is open elsewhere.
 */
export function MonitorTerminal({ vmId, vmName, phase, generation }: Props) {
  const container = useRef<HTMLDivElement>(null);
  const { termRef, socketRef, used, status, reconnect } = useTerminalSession(container, {
    vmId,
    kind: 'monitor',
    phase,
    generation,
    terminal: {},
  });

  const insert = (text: string) => {
    const socket = socketRef.current;
    if (socket?.readyState === WebSocket.OPEN) socket.send(encoder.encode(text));
    termRef.current?.focus();
  };

  const connected = status.kind === 'open';
  return (
    <div className="console monitor">
      <SessionBanner what="monitor" status={status} onReconnect={reconnect} />
      <div className={used ? 'monitor-body' : 'monitor-body unused'}>
        <div
          ref={container}
          className={used ? 'terminal' : 'terminal unused'}
          role="group"
          aria-label={`qemu monitor of ${vmName}`}
          aria-disabled={!connected}
        />
        <section className="command-list" aria-label="Common monitor commands">
          <h3>Commands</h3>
          <p className="muted small">Inserted at the prompt; press Enter to run.</p>
          <ul className="plain">
            {COMMANDS.map((c) => (
              <li key={c.text}>
                <button
                  type="button"
                  className="command"
                  disabled={!connected}
                  onClick={() => insert(c.text)}
                  aria-label={`${c.text.trim()}: ${c.what}`}
                >
                  <code>{c.text.trim()}</code>
                  <span className="muted small">{c.what}</span>
                </button>
              </li>
            ))}
          </ul>
        </section>
      </div>
    </div>
  );
}
