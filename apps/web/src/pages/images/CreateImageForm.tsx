import { useState, type SubmitEvent } from 'react';
import { CreateImageRequestSchema, ErrorCode, type ImageFormat } from '@virtweb/protocol';
import type { ApiError } from '../../api/errors.ts';
import { Field } from '../../components/Field.tsx';
import { useNotify } from '../../components/notify/context.ts';
import { useCreateImage } from '../../queries/images.ts';

type ImageField = 'name' | 'format' | 'size';
type Errors = Partial<Record<ImageField, string>>;

function fieldOf(path: string | readonly PropertyKey[]): ImageField | null {
  const parts = typeof path === 'string' ? path.split(/[./[\]]+/).filter(Boolean) : path.map(String);
  const first = parts[0] === 'body' ? parts[1] : parts[0];
  return first === 'name' || first === 'format' || first === 'size' ? first : null;
}

function serverErrors(err: ApiError): { fields: Errors; form: string | null } {
  const fields: Errors = {};
  const rest: string[] = [];
  for (const d of err.details) {
    const f = fieldOf(d.path);
    if (f && !fields[f]) fields[f] = d.message;
    else rest.push(d.message);
  }
  if (err.code === ErrorCode.exists) fields.name ??= err.message;
  else if (err.details.length === 0) rest.push(err.message);
  return { fields, form: rest.length ? rest.join('; ') : null };
}

/** Creates an empty disk image with qemu-img (qcow2 grows on demand, raw is sparse where the fs allows). */
export function CreateImageForm() {
  const [name, setName] = useState('');
  const [format, setFormat] = useState<ImageFormat>('qcow2');
  const [size, setSize] = useState('10G');
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const create = useCreateImage();
  const notify = useNotify();

  const submit = (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    const parsed = CreateImageRequestSchema.safeParse({ name: name.trim(), format, size: size.trim() });
    setFormError(null);
    if (!parsed.success) {
      const next: Errors = {};
      for (const issue of parsed.error.issues) {
        const f = fieldOf(issue.path) ?? 'name';
        next[f] ??= issue.message;
      }
      return setErrors(next);
    }
    setErrors({});
    create.mutate(parsed.data, {
      onSuccess: (img) => {
        notify.success(`Created ${img.name}`);
        setName('');
      },
      onError: (err) => {
        const { fields, form } = serverErrors(err);
        setErrors(fields);
        setFormError(form);
      },
    });
  };

  return (
    <form className="form panel" onSubmit={submit} noValidate aria-labelledby="create-image-title">
      <h2 id="create-image-title">Create a disk image</h2>
      {formError && (
        <p className="form-error" role="alert">
          {formError}
        </p>
      )}
      <Field label="Image name" error={errors.name} hint='e.g. "web1.qcow2"'>
        {(p) => <input {...p} value={name} autoComplete="off" onChange={(e) => setName(e.target.value)} />}
      </Field>
      <div className="field-row">
        <Field label="Format" error={errors.format}>
          {(p) => (
            <select
              {...p}
              value={format}
              onChange={(e) => setFormat(e.target.value === 'raw' ? 'raw' : 'qcow2')}
            >
              <option value="qcow2">qcow2 (grows on demand, snapshots)</option>
              <option value="raw">raw (plain file)</option>
            </select>
          )}
        </Field>
        <Field label="Size" error={errors.size} hint='bytes, or with K, M, G, T (e.g. "10G")'>
          {(p) => <input {...p} value={size} onChange={(e) => setSize(e.target.value)} />}
        </Field>
      </div>
      <div className="form-buttons">
        <button
          type="submit"
          className="btn btn-primary"
          disabled={create.isPending}
          aria-busy={create.isPending}
        >
          {create.isPending ? 'Creating…' : 'Create image'}
        </button>
      </div>
    </form>
  );
}
