import { useState, type SubmitEvent } from 'react';
import {
  ConvertImageRequestSchema,
  ImageFormatSchema,
  type Image,
  type ImageFormat,
} from '@virtweb/protocol';
import { Field } from '../../components/Field.tsx';
import { TextField } from '../../components/TextField.tsx';
import { useNotify } from '../../components/notify/context.ts';
import { useConvertImage, useImageProgress } from '../../queries/images.ts';
import { DialogButton } from '../../components/DialogButton.tsx';
import { DialogFormButtons } from '../../components/FormButtons.tsx';
import { ProgressBar } from './ProgressBar.tsx';

const targetName = (name: string, format: ImageFormat) => `${name.replace(/\.[^.]*$/, '')}.${format}`;

function ConvertForm({ image, close }: { image: Image; close: () => void }) {
  const [format, setFormat] = useState<ImageFormat>(image.format === 'qcow2' ? 'raw' : 'qcow2');
  const [target, setTarget] = useState(targetName(image.name, format));
  const [error, setError] = useState<string | undefined>();
  const convert = useConvertImage();
  const notify = useNotify();
  const progress = useImageProgress(image.name, 'convert');

  const submit = (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    const parsed = ConvertImageRequestSchema.safeParse({ target: target.trim(), format });
    if (!parsed.success) return setError(parsed.error.issues[0]?.message);
    setError(undefined);
    convert.mutate(
      { name: image.name, req: parsed.data },
      {
        onSuccess: (img) => {
          notify.success(`Converted ${image.name} to ${img.name}`);
          close();
        },
        onError: (err) => setError(err.message),
      },
    );
  };

  return (
    <form onSubmit={submit} noValidate>
      <p className="muted">A new image is written; {image.name} is only read.</p>
      <Field label="Format">
        {(p) => (
          <select
            {...p}
            value={format}
            disabled={convert.isPending}
            onChange={(e) => {
              const next = ImageFormatSchema.catch('qcow2').parse(e.target.value);
              if (target === targetName(image.name, format)) setTarget(targetName(image.name, next));
              setFormat(next);
            }}
          >
            {ImageFormatSchema.options.map((f) => (
              <option key={f} value={f}>
                {f}
              </option>
            ))}
          </select>
        )}
      </Field>
      <TextField
        label="New image name"
        error={error}
        value={target}
        disabled={convert.isPending}
        onChange={setTarget}
      />
      {convert.isPending && (
        <ProgressBar
          label={`Converting ${image.name}`}
          done={progress?.done ?? 0}
          total={progress?.total ?? 1}
        />
      )}
      <DialogFormButtons
        onCancel={close}
        cancelLabel={convert.isPending ? 'Hide' : 'Cancel'}
        label="Convert"
        busyLabel="Converting…"
        busy={convert.isPending}
      />
    </form>
  );
}

/** Converts an image to another format (qemu-img convert -p) with a live progress bar from the events socket. */
/** Why a convert cannot run now, before the click (the server would refuse the same). */
function convertRefusal(image: Image, openBy: readonly string[]): string | undefined {
  if (image.operation !== undefined) return `${image.operation} in progress`;
  if (image.problem !== undefined) return image.problem;
  if (openBy.length > 0)
    return `${openBy.join(', ')} ${openBy.length > 1 ? 'have' : 'has'} it open: qemu holds its lock; power off first`;
  return undefined;
}

/** `openBy`: the names of the guests whose qemu has the image open. */
export function ConvertImageBtn({ image, openBy }: { image: Image; openBy: readonly string[] }) {
  const refusal = convertRefusal(image, openBy);
  return (
    <DialogButton
      label="Convert"
      ariaLabel={`Convert ${image.name}`}
      title={`Convert ${image.name}`}
      disabled={refusal !== undefined}
      disabledReason={refusal}
    >
      {(close) => <ConvertForm image={image} close={close} />}
    </DialogButton>
  );
}
