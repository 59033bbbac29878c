import { useState, type SubmitEvent } from 'react';
import {
  CreateImageRequestSchema,
  ErrorCode,
  ImageFormatSchema,
  type Image,
  type ImageFormat,
} from '@virtweb/protocol';
import type { ApiError } from '../../api/errors.ts';
import { Field } from '../../components/Field.tsx';
import { TextField } from '../../components/TextField.tsx';
import { SubmitButton } from '../../components/FormButtons.tsx';
import { useNotify } from '../../components/notify/context.ts';
import { useCreateImage } from '../../queries/images.ts';
import { FormError } from '../../components/FormError.tsx';

type ImageField = 'name' | 'format' | 'size' | 'backingImage';
type Errors = Partial<Record<ImageField, string>>;
const FIELDS: readonly string[] = ['name', 'format', 'size', 'backingImage'];

const FORMAT_TEXT: Record<ImageFormat, string> = {
  qcow2: 'qcow2 (grows on demand, snapshots, overlays)',
  raw: 'raw (plain file)',
  vmdk: 'vmdk (VMware)',
  vdi: 'vdi (VirtualBox)',
};

/** Formats an overlay can sit on: disks (ISOs too, read-only use), never unreadable files. */
const BACKABLE = new Set(['qcow2', 'raw', 'vmdk', 'vdi', 'iso']);

function fieldOf(path: string | readonly PropertyKey[]): ImageField | null {
  const parts = typeof path === 'string' ? path.split(/[./[\]]+/).filter(Boolean) : path.map(String);
  const first = parts[0] === 'body' ? parts[1] : parts[0];
  return first !== undefined && FIELDS.includes(first) ? (first as ImageField) : null;
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

/** Creates an empty disk image, or a qcow2 overlay on an image of the store, with qemu-img. */
export function CreateImageForm({ images }: { images: Image[] }) {
  const [name, setName] = useState('');
  const [format, setFormat] = useState<ImageFormat>('qcow2');
  const [size, setSize] = useState('10G');
  const [backing, setBacking] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const create = useCreateImage();
  const notify = useNotify();
  const bases = images.filter((i) => BACKABLE.has(i.format) && i.problem === undefined);

  const submit = (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    const parsed = CreateImageRequestSchema.safeParse({
      name: name.trim(),
      format,
      ...(size.trim() === '' ? {} : { size: size.trim() }),
      ...(backing === '' ? {} : { backingImage: backing }),
    });
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
      <FormError message={formError} />
      <TextField
        label="Image name"
        error={errors.name}
        hint='e.g. "web1.qcow2"'
        value={name}
        onChange={setName}
      />
      <div className="field-row">
        <Field label="Format" error={errors.format}>
          {(p) => (
            <select
              {...p}
              value={format}
              onChange={(e) => setFormat(ImageFormatSchema.catch('qcow2').parse(e.target.value))}
            >
              {ImageFormatSchema.options.map((f) => (
                <option key={f} value={f}>
                  {FORMAT_TEXT[f]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          label="Size"
          error={errors.size}
          hint={backing === '' ? 'bytes, or with K, M, G, T (e.g. "10G")' : 'empty: the backing image’s size'}
        >
          {(p) => <input {...p} value={size} onChange={(e) => setSize(e.target.value)} />}
        </Field>
      </div>
      <Field
        label="Backing image"
        error={errors.backingImage}
        hint="optional: a qcow2 overlay that records only its changes to that image"
      >
        {(p) => (
          <select
            {...p}
            value={backing}
            onChange={(e) => {
              setBacking(e.target.value);
              if (e.target.value !== '') setFormat('qcow2');
            }}
          >
            <option value="">none (an empty image)</option>
            {bases.map((i) => (
              <option key={i.name} value={i.name}>
                {i.name} ({i.format})
              </option>
            ))}
          </select>
        )}
      </Field>
      <div className="form-buttons">
        <SubmitButton label="Create image" busyLabel="Creating…" busy={create.isPending} />
      </div>
    </form>
  );
}
