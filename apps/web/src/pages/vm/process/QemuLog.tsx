import { useEffect, useRef } from 'react';
import { useQuery } from '@tanstack/react-query';
import { QueryError } from '../../../components/QueryError.tsx';
import { LOG_LINES, vmLogQuery } from '../../../queries/process.ts';

/** Within this many pixels of the bottom counts as "at the bottom": new lines keep it scrolled down. */
const STICKY_PX = 24;

/**
 * qemu.log like `tail -f`: read again every 2 s while shown, kept scrolled to the end unless the reader
 * scrolled up; the server's plain-language hints above it.
 */
export function QemuLog({ vmId }: { vmId: string }) {
  const log = useQuery(vmLogQuery(vmId));
  const pre = useRef<HTMLPreElement>(null);
  const atBottom = useRef(true);
  const text = log.data?.text ?? '';

  useEffect(() => {
    const el = pre.current;
    if (el && atBottom.current) el.scrollTop = el.scrollHeight;
  }, [text]);

  const onScroll = () => {
    const el = pre.current;
    if (el) atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < STICKY_PX;
  };

  return (
    <section className="panel" aria-labelledby="log-title">
      <h2 id="log-title">qemu log</h2>
      <p className="muted small">
        The last {LOG_LINES} lines of <code>qemu.log</code> (qemu’s stderr), followed live.
      </p>
      {log.isError && <QueryError what="the qemu log" error={log.error} onRetry={() => void log.refetch()} />}
      {log.data?.hints.map((h) => (
        <div key={h.hint} className="callout" role="note">
          <p>{h.hint}</p>
          <p className="muted small">
            From the line: <code>{h.match}</code>
          </p>
        </div>
      ))}
      <pre ref={pre} className="log" tabIndex={0} aria-label="Lines of qemu.log" onScroll={onScroll}>
        {log.isPending ? 'Loading…' : text.trim() === '' ? '(empty: qemu wrote nothing to stderr)' : text}
      </pre>
    </section>
  );
}
