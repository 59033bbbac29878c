import { useState, type ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { CreateVmRequest } from '@virtweb/protocol';
import { Loading } from '../../../components/QueryError.tsx';
import { shellLines } from '../../vm/process/shellQuote.ts';
import { serverErrors } from './errorPaths.ts';
import type { PathErrors } from './networkDraft.ts';
import { previewQuery } from './previewQuery.ts';

const ACCEL = { kvm: 'KVM', tcg: 'TCG (software emulation)' } as const;

interface Props {
  request: CreateVmRequest;
  /** Lists the server's objections; `onShow` puts them next to their fields. */
  problems: (fields: PathErrors, form: string | null) => ReactNode;
}

/** Copies text; where the clipboard API is missing or refused, selects the text for Ctrl+C instead. */
async function copyText(text: string, fallback: HTMLElement | null): Promise<'copied' | 'selected'> {
  try {
    await navigator.clipboard.writeText(text);
    return 'copied';
  } catch {
    if (fallback) window.getSelection()?.selectAllChildren(fallback);
    return 'selected';
  }
}

/**
 * The exact qemu command line the server would run for the request (POST /api/vms/preview): one option per
 * line (never wrapped inside a word), copied as shown (the ` \` continuations paste into a shell).
 */
export function CommandLinePreview({ request, problems }: Props) {
  const preview = useQuery(previewQuery(request));
  const [copy, setCopy] = useState<'copied' | 'selected' | null>(null);
  const [pre, setPre] = useState<HTMLPreElement | null>(null);

  if (preview.isPending) return <Loading what="the qemu command line" />;
  if (preview.isError) {
    const { fields, form } = serverErrors(preview.error);
    return <>{problems(fields, form)}</>;
  }
  const cmd = preview.data;
  const text = shellLines(cmd.argv);
  return (
    <section className="wizard-cmdline" aria-labelledby="wizard-cmdline-title">
      <h3 id="wizard-cmdline-title">qemu command line</h3>
      <pre ref={setPre} tabIndex={0} aria-labelledby="wizard-cmdline-title">
        <code>{text}</code>
      </pre>
      <div className="actions">
        <button type="button" className="btn" onClick={() => void copyText(text, pre).then(setCopy)}>
          Copy command line
        </button>
        <span role="status" className="muted">
          {copy === 'copied' ? 'Copied.' : copy === 'selected' ? 'Selected: press Ctrl+C to copy.' : ''}
        </span>
      </div>
      <p>
        Accelerator: <strong>{ACCEL[cmd.accel]}</strong>
        {cmd.accelReason ? ` (${cmd.accelReason})` : ''}
      </p>
      {cmd.notes.length > 0 && (
        <ul className="wizard-notes" aria-label="Notes">
          {cmd.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
    </section>
  );
}
