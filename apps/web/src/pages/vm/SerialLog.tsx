import { useEffect, useRef, useState } from 'react';
import { openSerial } from '../../api/serial.ts';
import { plainText } from './serialText.ts';

const MAX_CHARS = 64 * 1024;
/** A read-only view of the guest's serial console (the interactive terminal comes later). */
export function SerialLog({ vmId }: { vmId: string }) {
  const [text, setText] = useState('');
  const [closed, setClosed] = useState(false);
  const pre = useRef<HTMLPreElement>(null);

  useEffect(
    () =>
      openSerial(vmId, {
        onText: (chunk) => setText((t) => (t + chunk).slice(-MAX_CHARS)),
        onClose: () => setClosed(true),
      }),
    [vmId],
  );

  useEffect(() => {
    const el = pre.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [text]);

  return (
    <div className="panel">
      <h2>Serial log</h2>
      {closed && <p className="muted">The serial connection closed.</p>}
      <pre ref={pre} className="log serial" tabIndex={0} aria-label="Serial log" aria-live="off">
        {plainText(text) || <span className="muted">No output yet.</span>}
      </pre>
    </div>
  );
}
