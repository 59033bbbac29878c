import { useRef } from 'react';
import { flushSync } from 'react-dom';
import { Link } from 'react-router-dom';
import { BootDeviceSchema, type Image } from '@virtweb/protocol';
import { Field } from '../../../components/Field.tsx';
import { isCdImage } from '../../imageKinds.ts';
import { DiskBusSelect } from '../../vms/wizard/DiskBusSelect.tsx';
import { KernelBootFields } from '../../vms/wizard/KernelBootFields.tsx';
import { BOOT_LABEL } from './labels.ts';
import type { DiskValues, SectionProps } from './settingsValues.ts';

interface Props extends SectionProps {
  images: readonly Image[];
  /** The guest runs: disks and the CD change in the Storage tab (live), not here. */
  storageLocked: boolean;
}

/** Names of images of a kind, plus the current choice when the store no longer lists it. */
function names(images: readonly Image[], keep: (i: Image) => boolean, current: string): string[] {
  const list = images.filter(keep).map((i) => i.name);
  return current && !list.includes(current) ? [current, ...list] : list;
}

function move(disks: readonly DiskValues[], from: number, to: number): DiskValues[] {
  const next = [...disks];
  const [disk] = next.splice(from, 1);
  if (disk) next.splice(to, 0, disk);
  return next;
}

/** Boot device, the disks in boot order with their bus, the CD, and direct kernel boot. */
export function BootFields({ values, errors, set, images, storageLocked }: Props) {
  const setDisk = (i: number, disk: DiskValues) =>
    set(
      'disks',
      values.disks.map((d, j) => (j === i ? disk : d)),
    );
  const list = useRef<HTMLOListElement>(null);
  /** Moves a disk and keeps the keyboard focus on its button (or the other one at the ends of the list). */
  const moveDisk = (i: number, to: number) => {
    const image = values.disks[i]?.image ?? '';
    flushSync(() => set('disks', move(values.disks, i, to)));
    const buttons = [
      ...(list.current?.querySelectorAll<HTMLButtonElement>(`button[data-disk="${CSS.escape(image)}"]`) ??
        []),
    ].filter((b) => !b.disabled);
    const dir = to < i ? 'up' : 'down';
    (buttons.find((b) => b.dataset.dir === dir) ?? buttons[0])?.focus();
  };
  const kernels = names(images, (i) => i.format === 'kernel', values.kernel);
  const initrds = names(images, (i) => i.format === 'initrd', values.initrd);
  const isos = names(images, isCdImage, values.cdrom);
  return (
    <fieldset className="settings-section">
      <legend>Boot and disks</legend>
      <Field
        label="Boot from"
        error={errors.boot}
        hint="The other devices follow in the order below (disks, then the CD)."
      >
        {(p) => (
          <select
            {...p}
            value={values.boot}
            onChange={(e) => set('boot', BootDeviceSchema.parse(e.target.value))}
          >
            {BootDeviceSchema.options.map((b) => (
              <option key={b} value={b}>
                {BOOT_LABEL[b]}
              </option>
            ))}
          </select>
        )}
      </Field>
      {values.boot === 'kernel' && (
        <div className="settings-sub">
          <KernelBootFields
            values={values}
            kernels={kernels}
            initrds={initrds}
            errors={{
              kernel: errors['kernel.kernel'] ?? errors.kernel,
              initrd: errors['kernel.initrd'],
              cmdline: errors['kernel.cmdline'],
            }}
            set={set}
          />
        </div>
      )}
      {storageLocked && (
        <p className="settings-note">
          The guest is running: disks and the CD change live in the <Link to="?tab=storage">Storage tab</Link>
          .
        </p>
      )}
      <h3 id="settings-disks-title">Disks in boot order</h3>
      {errors.disks && <p className="field-error">{errors.disks}</p>}
      {values.disks.length === 0 ? (
        <p className="muted">
          No disks. Add one in the <Link to="?tab=storage">Storage tab</Link>.
        </p>
      ) : (
        <ol ref={list} className="settings-disks" aria-labelledby="settings-disks-title">
          {values.disks.map((d, i) => (
            <li key={d.image}>
              {/* A disabled fieldset disables the bus select and the move buttons while the guest runs. */}
              <fieldset className="settings-disk" disabled={storageLocked}>
                <strong className="settings-disk-name">{d.image}</strong>
                <DiskBusSelect
                  label={`Bus of ${d.image}`}
                  value={d.bus}
                  machine={values.machine}
                  onChange={(bus) => setDisk(i, { ...d, bus })}
                  error={errors[`disks.${i}.bus`] ?? errors[`disks.${i}`]}
                />
                <div className="actions">
                  <button
                    type="button"
                    className="btn"
                    aria-label={`Move ${d.image} up`}
                    data-disk={d.image}
                    data-dir="up"
                    disabled={i === 0}
                    onClick={() => moveDisk(i, i - 1)}
                  >
                    ↑ Up
                  </button>
                  <button
                    type="button"
                    className="btn"
                    aria-label={`Move ${d.image} down`}
                    data-disk={d.image}
                    data-dir="down"
                    disabled={i === values.disks.length - 1}
                    onClick={() => moveDisk(i, i + 1)}
                  >
                    ↓ Down
                  </button>
                </div>
              </fieldset>
            </li>
          ))}
        </ol>
      )}
      <Field
        label="CD image"
        error={errors.cdrom}
        hint={isos.length === 0 ? 'No ISO images: upload one on the Images page.' : undefined}
      >
        {(p) => (
          <select
            {...p}
            value={values.cdrom}
            disabled={storageLocked}
            onChange={(e) => set('cdrom', e.target.value)}
          >
            <option value="">Empty drive</option>
            {isos.map((k) => (
              <option key={k}>{k}</option>
            ))}
          </select>
        )}
      </Field>
    </fieldset>
  );
}
