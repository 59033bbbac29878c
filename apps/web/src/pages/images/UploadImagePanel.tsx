import { useRef, useState, type DragEvent, type SubmitEvent } from 'react';
import { ImageNameSchema, type UploadedImage } from '@virtweb/protocol';
import { UPLOAD_ABORTED, type UploadProgress } from '../../api/images.ts';
import { Field } from '../../components/Field.tsx';
import { TextField } from '../../components/TextField.tsx';
import { useNotify } from '../../components/notify/context.ts';
import { useUploadImage } from '../../queries/images.ts';
import { ProgressBar } from './ProgressBar.tsx';
import { FormError } from '../../components/FormError.tsx';

/** A file name as an image name: other characters become "_", no leading dot. */
export function imageNameFor(fileName: string): string {
  return fileName
    .replace(/[^A-Za-z0-9._+-]/g, '_')
    .replace(/^[.]+/, '')
    .replace(/\.\.+/g, '.')
    .slice(0, 128);
}

interface Transfer {
  loaded: number;
  total: number;
  startedAt: number;
  bytesPerSecond?: number;
}

/**
 * Uploads an ISO or disk image from the browser: file picker or drag and drop, progress, cancel, sha256.
 * `onUploaded` is told about each finished upload (the new-VM wizard selects it).
 */
export function UploadImagePanel({ onUploaded }: { onUploaded?: (image: UploadedImage) => void } = {}) {
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState('');
  const [dragging, setDragging] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [nameError, setNameError] = useState<string | undefined>();
  const [transfer, setTransfer] = useState<Transfer | null>(null);
  const [done, setDone] = useState<UploadedImage | null>(null);
  const abort = useRef<AbortController | null>(null);
  const upload = useUploadImage();
  const notify = useNotify();

  const pick = (f: File | undefined) => {
    if (!f) return;
    setFile(f);
    setTransfer(null);
    setName(imageNameFor(f.name));
    setDone(null);
    setError(undefined);
    setNameError(undefined);
  };

  const onDrop = (e: DragEvent<HTMLDivElement>) => {
    e.preventDefault();
    setDragging(false);
    if (!upload.isPending) pick(e.dataTransfer.files[0]);
  };

  const onProgress = (p: UploadProgress) =>
    setTransfer((t) => {
      const startedAt = t?.startedAt ?? performance.now();
      const seconds = (performance.now() - startedAt) / 1000;
      return { ...p, startedAt, ...(seconds > 0.2 ? { bytesPerSecond: p.loaded / seconds } : {}) };
    });

  const submit = (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (!file) return setError('choose a file first');
    const parsed = ImageNameSchema.safeParse(name.trim());
    if (!parsed.success) return setNameError(parsed.error.issues[0]?.message);
    setNameError(undefined);
    setError(undefined);
    setDone(null);
    const ctl = new AbortController();
    abort.current = ctl;
    setTransfer({ loaded: 0, total: file.size, startedAt: performance.now() });
    upload.mutate(
      { name: parsed.data, file, onProgress, signal: ctl.signal },
      {
        onSuccess: (img) => {
          setTransfer((t) => t && { ...t, loaded: t.total });
          setDone(img);
          setFile(null);
          notify.success(`Uploaded ${img.name}`);
          onUploaded?.(img);
        },
        onError: (err) => {
          setTransfer(null);
          if (err.code === UPLOAD_ABORTED) setError('Upload cancelled; nothing was kept.');
          else if (err.details.some((d) => d.path === 'name')) setNameError(err.message);
          else setError(err.message);
        },
        onSettled: () => (abort.current = null),
      },
    );
  };

  return (
    <form className="form panel" onSubmit={submit} noValidate aria-labelledby="upload-image-title">
      <h2 id="upload-image-title">Upload an ISO or disk image</h2>
      <div
        className={dragging ? 'dropzone dropzone-active' : 'dropzone'}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <Field label="File" hint="or drop a file here">
          {(p) => (
            <input
              {...p}
              type="file"
              disabled={upload.isPending}
              onChange={(e) => pick(e.target.files?.[0])}
            />
          )}
        </Field>
      </div>
      <TextField
        label="Upload as"
        error={nameError}
        hint="the image name on the server"
        value={name}
        disabled={upload.isPending}
        onChange={setName}
      />
      <FormError message={error} />
      {transfer && (
        <ProgressBar
          label={`Uploading ${name}`}
          done={transfer.loaded}
          total={transfer.total}
          bytesPerSecond={transfer.bytesPerSecond}
        />
      )}
      {done && (
        <div role="status">
          <p>
            Uploaded <strong>{done.name}</strong> ({done.format}). sha256:{' '}
            <code className="sha256" aria-label="sha256">
              {done.sha256}
            </code>
          </p>
        </div>
      )}
      <div className="form-buttons">
        <button type="submit" className="btn btn-primary" disabled={upload.isPending || !file}>
          {upload.isPending ? 'Uploading…' : 'Upload'}
        </button>
        {upload.isPending && (
          <button type="button" className="btn" onClick={() => abort.current?.abort()}>
            Cancel upload
          </button>
        )}
      </div>
    </form>
  );
}
