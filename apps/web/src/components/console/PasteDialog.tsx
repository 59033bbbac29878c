import { useId, useState } from 'react';
import {
  KEYBOARD_LAYOUT_LABELS,
  KeyboardLayoutSchema,
  TYPE_TEXT_MAX_CHARS,
  describeChar,
  isPrintableChar,
  isTypableChar,
  type KeyboardLayout,
} from '@virtweb/protocol';
import { isApiError } from '../../api/errors.ts';
import { useTypeText } from '../../queries/consoles.ts';
import { useNotify } from '../notify/context.ts';
import { Field } from '../Field.tsx';
import { DialogFormButtons } from '../FormButtons.tsx';
import { useModalDialog } from '../useModalDialog.ts';
import { storeLayout, storedLayout } from './guestLayout.ts';

/**
 * Why the text cannot be typed, or null. The US layout's keys are known here (printable ASCII); for the
 * others the server says which character none of their keys types.
 */
function problem(text: string, layout: KeyboardLayout): string | null {
  if (text.length === 0) return null;
  if (text.length > TYPE_TEXT_MAX_CHARS) return `At most ${TYPE_TEXT_MAX_CHARS} characters per paste.`;
  let index = 0;
  for (const ch of text) {
    index += 1;
    if (!isPrintableChar(ch)) return `Character ${index} is ${describeChar(ch)}: a control character.`;
    if (layout === 'us' && !isTypableChar(ch)) {
      return `Character ${index} is ${describeChar(ch)}: no key of the US layout types it; choose the guest's layout.`;
    }
  }
  return null;
}

const LAYOUTS = KeyboardLayoutSchema.options;

interface Props {
  vmId: string;
  vmName: string;
  open: boolean;
  onClose: () => void;
}

/**
 * "Paste text as keystrokes": the text is typed into the guest key by key by the server, with the keys of
 * the guest's keyboard layout (remembered per guest), so it works on a text console or a login prompt where
 * no clipboard exists.
 */
export function PasteDialog({ vmId, vmName, open, onClose }: Props) {
  const dialog = useModalDialog(open);
  const [text, setText] = useState('');
  const [layout, setLayout] = useState(() => storedLayout(vmId));
  const [refused, setRefused] = useState<string | null>(null);
  const typeText = useTypeText(vmId);
  const notify = useNotify();
  const titleId = useId();
  const layoutId = useId();

  // Line ends from a Windows clipboard would type a stray character each.
  const normalized = text.replaceAll('\r\n', '\n');
  const error = problem(normalized, layout) ?? refused;

  const submit = () => {
    if (error || normalized.length === 0) return;
    typeText.mutate(
      { text: normalized, layout },
      {
        onSuccess: (answer) => {
          const secs = Math.max(1, Math.round(answer.etaMs / 1000));
          notify.success(`Typing ${answer.chars} characters into ${vmName}`, `Done in about ${secs} s.`);
          setText('');
          onClose();
        },
        onError: (err) => {
          // The layout has no key for a character: said next to the text, as the checks above.
          const onText = isApiError(err) ? err.details.find((d) => d.path === 'text') : undefined;
          if (onText) setRefused(`${onText.message[0]?.toUpperCase() ?? ''}${onText.message.slice(1)}.`);
          else notify.error(`Could not type into ${vmName}`, err);
        },
      },
    );
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
          <div className="field">
            <label htmlFor={layoutId}>Guest&apos;s keyboard layout</label>
            <select
              id={layoutId}
              value={layout}
              onChange={(e) => {
                const chosen = KeyboardLayoutSchema.safeParse(e.target.value);
                if (!chosen.success) return;
                setLayout(chosen.data);
                setRefused(null);
                storeLayout(vmId, chosen.data);
              }}
            >
              {LAYOUTS.map((l) => (
                <option key={l} value={l}>
                  {KEYBOARD_LAYOUT_LABELS[l]}
                </option>
              ))}
            </select>
          </div>
          <Field
            label="Text to type"
            error={error ?? undefined}
            hint={
              <>
                Typed into {vmName} with the keys of that layout, newlines as Enter. {normalized.length}/
                {TYPE_TEXT_MAX_CHARS} characters.
              </>
            }
          >
            {(p) => (
              <textarea
                {...p}
                rows={6}
                value={text}
                onChange={(e) => {
                  setText(e.target.value);
                  setRefused(null);
                }}
                spellCheck={false}
                autoFocus
              />
            )}
          </Field>
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
