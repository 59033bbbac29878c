import { useState, type SubmitEvent } from 'react';
import { MAX_NOTES_CHARS, type Vm } from '@virtweb/protocol';
import { Field } from '../../components/Field.tsx';
import { TagList } from '../../components/TagList.tsx';
import { SubmitButton } from '../../components/FormButtons.tsx';
import { useSetLabels } from '../../queries/vmConfig.ts';
import { checkLabels } from './labelsForm.ts';
import './labels.css';
import { errorText } from '../../api/errors.ts';

/** The guest's tags and notes on its Overview, edited in place (stored at once, in any state). */
export function LabelsPanel({ vm }: { vm: Vm }) {
  const [editing, setEditing] = useState(false);
  return (
    <section className="panel labels-panel" aria-labelledby="labels-title">
      <h2 id="labels-title">Tags and notes</h2>
      {editing ? (
        <LabelsForm vm={vm} onDone={() => setEditing(false)} />
      ) : (
        <>
          {(vm.tags ?? []).length > 0 ? (
            <TagList tags={vm.tags ?? []} label="Tags" />
          ) : (
            <p className="muted">No tags.</p>
          )}
          {vm.notes ? <p className="notes">{vm.notes}</p> : <p className="muted">No notes.</p>}
          <button type="button" className="btn" onClick={() => setEditing(true)}>
            Edit tags and notes
          </button>
        </>
      )}
    </section>
  );
}

function LabelsForm({ vm, onDone }: { vm: Vm; onDone: () => void }) {
  const [tags, setTags] = useState((vm.tags ?? []).join(' '));
  const [notes, setNotes] = useState(vm.notes ?? '');
  const [errors, setErrors] = useState<{ tags?: string; notes?: string; form?: string }>({});
  const mutation = useSetLabels(vm.id);

  const submit = (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    const checked = checkLabels(tags, notes);
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    mutation.mutate(checked.labels, {
      onSuccess: onDone,
      onError: (err) => setErrors({ form: errorText(err) }),
    });
  };

  return (
    <form onSubmit={submit} noValidate aria-label={`Tags and notes of ${vm.name}`}>
      <Field label="Tags" error={errors.tags} hint="Words separated by spaces or commas, e.g. web lab-2.">
        {(p) => (
          <input
            {...p}
            type="text"
            value={tags}
            autoComplete="off"
            onChange={(e) => setTags(e.target.value)}
          />
        )}
      </Field>
      <Field label="Notes" error={errors.notes} hint={`Plain text, up to ${MAX_NOTES_CHARS} characters.`}>
        {(p) => (
          <textarea
            {...p}
            rows={4}
            maxLength={MAX_NOTES_CHARS}
            value={notes}
            onChange={(e) => setNotes(e.target.value)}
          />
        )}
      </Field>
      {errors.form && (
        <p className="field-error" role="alert">
          {errors.form}
        </p>
      )}
      <div className="form-actions">
        <button type="button" className="btn" onClick={onDone}>
          Cancel
        </button>
        <SubmitButton label="Save tags and notes" busyLabel="Saving…" busy={mutation.isPending} />
      </div>
    </form>
  );
}
