import { formatBytes, type Image } from '@virtweb/protocol';
import { Field } from '../../../components/Field.tsx';
import { TextField } from '../../../components/TextField.tsx';
import { isCdImage, isDiskImage } from '../../imageKinds.ts';
import { RadioGroup } from '../../../components/RadioGroup.tsx';
import { KernelBootFields } from './KernelBootFields.tsx';
import type { StepProps } from './stepProps.ts';
import type { MediaKind } from './wizardValues.ts';

const MEDIA_OPTIONS = [
  { value: 'iso', label: 'Install from an ISO image', hint: 'the guest boots the CD; install onto a disk' },
  { value: 'import', label: 'Import an existing disk', hint: 'boot a disk image that already has an OS' },
  { value: 'kernel', label: 'Direct kernel boot', hint: 'qemu loads a Linux kernel (and initrd) itself' },
] as const satisfies readonly { value: MediaKind; label: string; hint: string }[];

const option = (img: Image) => (
  <option key={img.name} value={img.name}>
    {img.name} ({formatBytes(img.virtualSize)})
  </option>
);

/** Step 1: the VM's name and what it boots: an ISO, an existing disk, or a kernel + initrd + command line. */
export function MediaStep({ values, set, errors, images }: StepProps) {
  const cds = images.filter(isCdImage);
  const disks = images.filter(isDiskImage);
  // The server boots only what the store recognised as a kernel; an initramfs may be any plain file.
  const kernels = images.filter((i) => i.format === 'kernel');
  const initrds = images.filter((i) => i.format === 'initrd' || (i.format === 'raw' && !isCdImage(i)));
  return (
    <>
      <TextField
        label="Name"
        error={errors.name}
        hint="letters, digits, '.', '_' and '-'"
        value={values.name}
        onChange={(name) => set('name', name)}
      />
      <RadioGroup
        legend="Install media"
        value={values.media}
        options={MEDIA_OPTIONS}
        onChange={(media) => set('media', media)}
        error={errors.boot}
      />
      {values.media === 'iso' && (
        <Field
          label="ISO image"
          error={errors.cdrom}
          hint={cds.length === 0 ? 'No ISO image on this host yet: upload one below.' : undefined}
        >
          {(p) => (
            <select {...p} value={values.iso} onChange={(e) => set('iso', e.target.value)}>
              <option value="">Choose an ISO image…</option>
              {cds.map(option)}
            </select>
          )}
        </Field>
      )}
      {values.media === 'import' && (
        <Field
          label="Disk image"
          error={errors['disks.0.image']}
          hint={
            disks.length === 0
              ? 'No disk image on this host: upload or create one on the Images page.'
              : undefined
          }
        >
          {(p) => (
            <select {...p} value={values.importDisk} onChange={(e) => set('importDisk', e.target.value)}>
              <option value="">Choose a disk image…</option>
              {disks.map(option)}
            </select>
          )}
        </Field>
      )}
      {values.media === 'kernel' && (
        <KernelBootFields
          values={values}
          kernels={kernels.map((i) => i.name)}
          initrds={initrds.map((i) => i.name)}
          errors={{
            kernel: errors.kernel,
            initrd: errors['kernel.initrd'],
            cmdline: errors['kernel.cmdline'],
          }}
          set={set}
        />
      )}
    </>
  );
}
