import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { WS_MAX_MESSAGE_BYTES } from '@virtweb/protocol';
import { openConsoleSocket } from '../../api/consoles.ts';
import { SessionBanner } from './SessionBanner.tsx';
import { useConsoleSession, type ConsolePhase } from './useConsoleSession.ts';
import {
  LineSplitter,
  classify,
  commandMessage,
  completeCommand,
  parseCommand,
  type QmpCommand,
} from './qmpText.ts';
import './console.css';
import './qmp.css';

interface Entry {
  n: number;
  at: Date;
  kind: 'greeting' | 'sent' | 'reply' | 'error' | 'event' | 'note';
  title: string;
  body?: string;
}

const MAX_ENTRIES = 500;
const MAX_HISTORY = 100;
const CAPABILITIES_ID = 'virtweb-capabilities';
const COMMANDS_ID = 'virtweb-commands';

const pretty = (v: unknown): string => JSON.stringify(v, null, 2);
const clock = (d: Date): string =>
  `${d.toLocaleTimeString([], { hour12: false })}.${String(d.getMilliseconds()).padStart(3, '0')}`;

const TAG: Record<Entry['kind'], string> = {
  greeting: 'greeting',
  sent: '→',
  reply: '←',
  error: 'error',
  event: 'event',
  note: '·',
};

interface Props {
  vmId: string;
  vmName: string;
  phase: ConsolePhase;
  generation: string;
}

/**
 * The browser's own QMP session (a second QMP socket: the server's connection is never disturbed): the
 * greeting, `qmp_capabilities` sent for the user, commands as JSON or shorthand with history and completion
 * from `query-commands`, pretty-printed replies and events as they arrive.
 */
export function QmpConsole({ vmId, vmName, phase, generation }: Props) {
  const [entries, setEntries] = useState<Entry[]>([]);
  const [commands, setCommands] = useState<string[]>([]);
  const [input, setInput] = useState('');
  const [inputError, setInputError] = useState<string | null>(null);
  const [history, setHistory] = useState<string[]>([]);
  const [cursor, setCursor] = useState<{ index: number; draft: string } | null>(null);
  const socketRef = useRef<WebSocket | null>(null);
  const nextId = useRef(1);
  const nextEntry = useRef(1);
  const log = useRef<HTMLDivElement>(null);
  const listId = useId();
  const inputId = useId();
  const errorId = useId();

  const add = (entry: Omit<Entry, 'n'>) => {
    const n = nextEntry.current++;
    setEntries((list) => [...list, { ...entry, n }].slice(-MAX_ENTRIES));
  };

  const { status, reconnect } = useConsoleSession(phase, generation, ({ opened, closed }) => {
    const socket = openConsoleSocket(vmId, 'qmp');
    socketRef.current = socket;
    const split = new LineSplitter();
    const send = (command: QmpCommand) => socket.send(JSON.stringify(command));

    const onMessage = (msg: MessageEvent) => {
      const data: unknown = msg.data;
      const chunk = data instanceof ArrayBuffer ? new Uint8Array(data) : String(data);
      for (const line of split.push(chunk)) {
        let json: unknown;
        try {
          json = JSON.parse(line);
        } catch {
          add({ at: new Date(), kind: 'note', title: 'Not JSON from qemu', body: line });
          continue;
        }
        const m = classify(json);
        if (m.kind === 'greeting') {
          const caps = m.capabilities.length > 0 ? m.capabilities.join(', ') : 'none';
          add({
            at: new Date(),
            kind: 'greeting',
            title: `qemu ${m.version}, capabilities: ${caps}`,
            body: pretty(json),
          });
          const negotiate: QmpCommand = { execute: 'qmp_capabilities', id: CAPABILITIES_ID };
          add({ at: new Date(), kind: 'sent', title: 'qmp_capabilities', body: pretty(negotiate) });
          send(negotiate);
        } else if (m.kind === 'return' && m.id === CAPABILITIES_ID) {
          add({ at: new Date(), kind: 'reply', title: 'qmp_capabilities', body: pretty(json) });
          send({ execute: 'query-commands', id: COMMANDS_ID });
          opened();
        } else if (m.kind === 'return' && m.id === COMMANDS_ID) {
          const names = Array.isArray(m.value)
            ? m.value.flatMap((c: unknown) =>
                typeof c === 'object' && c !== null && 'name' in c && typeof c.name === 'string'
                  ? [c.name]
                  : [],
              )
            : [];
          names.sort();
          setCommands(names);
          add({
            at: new Date(),
            kind: 'note',
            title: `${names.length} commands (query-commands); Tab completes`,
          });
        } else if (m.kind === 'return') {
          add({ at: new Date(), kind: 'reply', title: idLabel(m.id), body: pretty(json) });
        } else if (m.kind === 'error') {
          add({ at: new Date(), kind: 'error', title: `${m.errorClass}: ${m.desc}`, body: pretty(json) });
        } else if (m.kind === 'event') {
          add({ at: m.at ?? new Date(), kind: 'event', title: m.event, body: pretty(json) });
        } else {
          add({ at: new Date(), kind: 'note', title: 'Unexpected message', body: pretty(json) });
        }
      }
    };
    const onClose = (e: CloseEvent) => closed({ code: e.code, reason: e.reason });
    socket.addEventListener('message', onMessage);
    socket.addEventListener('close', onClose);
    return () => {
      socket.removeEventListener('message', onMessage);
      socket.removeEventListener('close', onClose);
      socketRef.current = null;
      socket.close(1000, 'closed by the page');
    };
  });

  // Follow the newest entry unless the user scrolled up to read.
  const count = entries.length;
  useEffect(() => {
    const el = log.current;
    if (!el) return;
    const last = el.lastElementChild;
    if (!last) return;
    const nearBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 2 * last.clientHeight + 80;
    if (nearBottom) el.scrollTop = el.scrollHeight;
  }, [count]);

  const ready = status.kind === 'open';

  const submit = () => {
    const parsed = parseCommand(input);
    if (!parsed.ok) {
      setInputError(parsed.error);
      return;
    }
    const socket = socketRef.current;
    if (!ready || socket?.readyState !== WebSocket.OPEN) return;
    const command = { ...parsed.command };
    if (!('id' in command)) command.id = `web-${nextId.current++}`;
    const message = commandMessage(command, WS_MAX_MESSAGE_BYTES.qmp);
    if ('error' in message) {
      setInputError(message.error);
      return;
    }
    socket.send(message.text);
    add({
      at: new Date(),
      kind: 'sent',
      title: `${command.execute} (${idLabel(command.id)})`,
      body: pretty(command),
    });
    const typed = input.trim();
    setHistory((h) => [...h.filter((x) => x !== typed), typed].slice(-MAX_HISTORY));
    setCursor(null);
    setInput('');
    setInputError(null);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
      if (history.length === 0) return;
      e.preventDefault();
      const from = cursor?.index ?? history.length;
      const index = Math.min(history.length, Math.max(0, from + (e.key === 'ArrowUp' ? -1 : 1)));
      const draft = cursor?.draft ?? input;
      setCursor(index === history.length ? null : { index, draft });
      setInput(index === history.length ? draft : (history[index] ?? ''));
    } else if (e.key === 'Tab' && !e.shiftKey) {
      // Only when there is something to complete: otherwise Tab moves the focus as usual.
      const completed = completeCommand(input, commands);
      if (completed !== null) {
        e.preventDefault();
        setInput(completed);
      }
    }
  };

  return (
    <div className="console qmp">
      <SessionBanner what="QMP session" status={status} onReconnect={reconnect} />
      <div className="console-toolbar" role="group" aria-label="QMP controls">
        <button type="button" className="btn" onClick={() => setEntries([])} disabled={entries.length === 0}>
          Clear
        </button>
        <span className="console-state muted small">{ready ? `QMP session with ${vmName}` : ''}</span>
      </div>
      {/* The log region scrolls; the list inside keeps its list semantics (a role on the <ol> would drop them). */}
      <div
        ref={log}
        className={entries.length === 0 && !ready ? 'qmp-log unused' : 'qmp-log'}
        role="log"
        aria-label="QMP transcript"
        tabIndex={0}
      >
        <ol>
          {entries.map((e) => (
            <li key={e.n} className={`qmp-entry qmp-${e.kind}`}>
              <div className="qmp-head">
                <time dateTime={e.at.toISOString()}>{clock(e.at)}</time>
                <span className="qmp-tag">{TAG[e.kind]}</span>
                <span className="qmp-title">{e.title}</span>
              </div>
              {e.body && <pre>{e.body}</pre>}
            </li>
          ))}
        </ol>
      </div>
      <form
        className="qmp-input"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <label htmlFor={inputId}>Command</label>
        <input
          id={inputId}
          list={listId}
          value={input}
          onChange={(e) => {
            setInput(e.target.value);
            setInputError(null);
          }}
          onKeyDown={onKeyDown}
          placeholder='query-status or {"execute": "query-block"}'
          autoComplete="off"
          spellCheck={false}
          disabled={!ready}
          aria-invalid={inputError !== null}
          aria-describedby={inputError ? errorId : undefined}
        />
        <datalist id={listId}>
          {commands.map((c) => (
            <option key={c} value={c} />
          ))}
        </datalist>
        <button type="submit" className="btn btn-primary" disabled={!ready}>
          Send
        </button>
        {inputError && (
          <p id={errorId} className="field-error" role="alert">
            {inputError}
          </p>
        )}
      </form>
    </div>
  );
}

function idLabel(id: unknown): string {
  return id === undefined ? 'no id' : `id ${JSON.stringify(id)}`;
}
