import { useRef, useState } from 'react';
import { shellJoin, shellLines } from './shellQuote.ts';

type CopyState = 'idle' | 'copied' | 'select';

/** The full qemu command line, shell-quoted (one option per line), with a button that copies it. */
export function CommandLine({ argv }: { argv: readonly string[] }) {
  const pre = useRef<HTMLPreElement>(null);
  const [state, setState] = useState<CopyState>('idle');

  const selectText = () => {
    const el = pre.current;
    const selection = window.getSelection();
    if (!el || !selection) return;
    selection.selectAllChildren(el);
  };

  const copy = async () => {
    try {
      // The clipboard API exists only in secure contexts (https or localhost).
      await navigator.clipboard.writeText(shellJoin(argv));
      setState('copied');
    } catch {
      selectText();
      setState('select');
    }
  };

  return (
    <section className="panel" aria-labelledby="cmdline-title">
      <div className="panel-head">
        <h2 id="cmdline-title">Command line</h2>
        <button type="button" className="btn" onClick={() => void copy()}>
          Copy command line
        </button>
        <span className="muted small" role="status">
          {state === 'copied' && 'Copied to the clipboard.'}
          {state === 'select' &&
            'The browser does not allow copying here: the text is selected, press Ctrl+C.'}
        </span>
      </div>
      <pre ref={pre} className="cmdline" tabIndex={0} aria-label="qemu command line">
        {shellLines(argv)}
      </pre>
    </section>
  );
}
