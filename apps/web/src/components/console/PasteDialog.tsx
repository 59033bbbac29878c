import { useId, useState } from 'react';
import { TYPE_TEXT_MAX_CHARS, describeChar, isTypableChar } from '@virtweb/protocol';
import { useTypeText } from '../../queries/consoles.ts';
import { useNotify } from '../notify/context.ts';
import { DialogFormButtons } from '../FormButtons.tsx';
import { useModalDialog } from '../useModalDialog.ts';

/** Why the text cannot be typed (the server checks the same), or null. */
function problem(text: string): string | null {
  if (text.length === 0) return null;
  if (text.length > TYPE_TEXT_MAX_CHARS) return `At most ${TYPE_TEXT_MAX_CHARS} characters per paste.`;
  let index = 0;
  for (const ch of text) {
    index += 1;
    if (!isTypableChar(ch)) {
      return `Character ${index} is ${describeChar(ch)}: only printable ASCII, newline and tab can be typed.`;
    }
  }
  return null;
}

interface Props {
  vmId: string;
  vmName: string;
  open: boolean;
  onClose: () => void;
}

/**
 * "Paste text as keystrokes": the text is typed into the guest key by key (US layout) by the server, so it
 * works on a text console or a login prompt where no clipboard exists.
 */
export function PasteDialog({ vmId, vmName, open, onClose }: Props) {
  const dialog = useModalDialog(open);
  const [text, setText] = useState('');
  const typeText = useTypeText(vmId);
  const notify = useNotify();
  const titleId = useId();
  const fieldId = useId();
  const hintId = useId();
  const errorId = useId();

  // Line ends from a Windows clipboard would type a stray character each.
  const normalized = text.replaceAll('\r\n', '\n');
  const error = problem(normalized);

  const submit = () => {
    if (error || normalized.length === 0) return;
    typeText.mutate(normalized, {
      onSuccess: (answer) => {
        const secs = Math.max(1, Math.round(answer.etaMs / 1000));
        notify.success(`Typing ${answer.chars} characters into ${vmName}`, `Done in about ${secs} s.`);
        setText('');
        onClose();
      },
      onError: (err) => notify.error(`Could not type into ${vmName}`, err),
    });
  };

  return (
    <dialog ref={dialog} className="confirm paste-dialog" aria-labelledby={titleId} onClose={onClose}>
      {open && (
        <form
          method="dialog"
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <h2 id={titleId}>Paste text as keystrokes</h2>
          <div className={error ? 'field field-invalid' : 'field'}>
            <label htmlFor={fieldId}>Text to type</label>
            <textarea
              id={fieldId}
              rows={6}
              value={text}
              onChange={(e) => setText(e.target.value)}
              aria-invalid={error !== null}
              aria-describedby={error ? `${hintId} ${errorId}` : hintId}
              spellCheck={false}
              autoFocus
            />
            <p id={hintId} className="field-hint">
              Typed into {vmName} with a US keyboard layout, newlines as Enter. {normalized.length}/
              {TYPE_TEXT_MAX_CHARS} characters.
            </p>
            {error && (
              <p id={errorId} className="field-error">
                {error}
              </p>
            )}
          </div>
          <DialogFormButtons
            onCancel={onClose}
            label="Type it"
            busyLabel="Typing…"
            busy={typeText.isPending}
            disabled={error !== null || normalized.length === 0}
          />
        </form>
      )}
    </dialog>
  );
}
