import { Field } from '../../../components/Field.tsx';

type KernelField = 'kernel' | 'initrd' | 'cmdline';

interface Props {
  values: Record<KernelField, string>;
  /** Kernel and initrd files of the image store (image formats `kernel` and `initrd`). */
  kernels: readonly string[];
  initrds: readonly string[];
  errors: Partial<Record<KernelField, string | undefined>>;
  set: (field: KernelField, value: string) => void;
}

/** Direct kernel boot (qemu's -kernel, -initrd, -append): the wizard's and the Settings tab's fields. */
export function KernelBootFields({ values, kernels, initrds, errors, set }: Props) {
  return (
    <>
      <Field
        label="Kernel"
        error={errors.kernel}
        hint={
          kernels.length === 0
            ? 'No Linux kernel in the image store: upload one (e.g. vmlinuz) on the Images page.'
            : 'a Linux kernel (bzImage) from the image store'
        }
      >
        {(p) => (
          <select {...p} value={values.kernel} onChange={(e) => set('kernel', e.target.value)}>
            <option value="">Choose a kernel…</option>
            {kernels.map((k) => (
              <option key={k}>{k}</option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Initrd (optional)" error={errors.initrd}>
        {(p) => (
          <select {...p} value={values.initrd} onChange={(e) => set('initrd', e.target.value)}>
            <option value="">None</option>
            {initrds.map((k) => (
              <option key={k}>{k}</option>
            ))}
          </select>
        )}
      </Field>
      <Field
        label="Kernel command line (optional)"
        error={errors.cmdline}
        hint="e.g. console=ttyS0 root=/dev/vda1"
      >
        {(p) => (
          <input
            {...p}
            value={values.cmdline}
            autoComplete="off"
            spellCheck={false}
            onChange={(e) => set('cmdline', e.target.value)}
          />
        )}
      </Field>
    </>
  );
}
