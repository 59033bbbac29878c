import { useState, type SubmitEvent } from 'react';
import { formatBytes, parseSize, type Image } from '@virtweb/protocol';
import { TextField } from '../../components/TextField.tsx';
import { useNotify } from '../../components/notify/context.ts';
import { useResizeImage } from '../../queries/images.ts';
import { DialogButton } from '../../components/DialogButton.tsx';
import { DialogFormButtons } from '../../components/FormButtons.tsx';

const NOT_DISKS = new Set(['iso', 'kernel', 'initrd', 'unknown']);

/** "64MiB" when that is exact, else the byte count (a rounded text would resize by accident). */
function sizeText(bytes: number): string {
  const text = formatBytes(bytes).replace(' ', '');
  return parseSize(text) === bytes ? text : String(bytes);
}

function ResizeForm({ image, close }: { image: Image; close: () => void }) {
  const [size, setSize] = useState(() => sizeText(image.virtualSize));
  const [confirmed, setConfirmed] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const resize = useResizeImage();
  const notify = useNotify();
  const bytes = parseSize(size.trim());
  const shrinking = bytes !== null && bytes < image.virtualSize;
  const inUse = image.usedBy.length > 0;

  const submit = (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (bytes === null || bytes <= 0) return setError('a positive size with K, M, G or T (e.g. "20G")');
    if (shrinking && !confirmed) return setError('confirm the shrink below');
    setError(undefined);
    resize.mutate(
      { name: image.name, req: { size: bytes, ...(shrinking ? { shrink: true } : {}) } },
      {
        onSuccess: (img) => {
          notify.success(`Resized ${img.name} to ${formatBytes(img.virtualSize)}`);
          close();
        },
        onError: (err) => setError(err.message),
      },
    );
  };

  return (
    <form onSubmit={submit} noValidate>
      <p className="muted">Now {formatBytes(image.virtualSize)}.</p>
      <TextField
        label="New size"
        error={error}
        hint='e.g. "20G"; a running guest sees a grown disk at once'
        value={size}
        onChange={setSize}
      />
      {shrinking && (
        <div role="alert">
          <p className="form-error">
            Shrinking to {formatBytes(bytes)} deletes everything past that point; the guest&apos;s partitions
            and file systems must already fit.
            {inUse && ' The image is used by a VM: the server will refuse.'}
          </p>
          <label className="check">
            <input type="checkbox" checked={confirmed} onChange={(e) => setConfirmed(e.target.checked)} />
            <span>
              Yes, shrink {image.name} and lose the data past {formatBytes(bytes)}
            </span>
          </label>
        </div>
      )}
      <DialogFormButtons
        onCancel={close}
        label={shrinking ? 'Shrink' : 'Resize'}
        busyLabel="Resizing…"
        busy={resize.isPending}
        danger={shrinking}
      />
    </form>
  );
}

/** Grows a disk image (online for a running guest) or, after an explicit confirmation, shrinks it. */
export function ResizeImageBtn({ image }: { image: Image }) {
  return (
    <DialogButton
      label="Resize"
      ariaLabel={`Resize ${image.name}`}
      title={`Resize ${image.name}`}
      disabled={NOT_DISKS.has(image.format) || image.operation !== undefined || image.problem !== undefined}
    >
      {(close) => <ResizeForm image={image} close={close} />}
    </DialogButton>
  );
}
