import {
  SoundSchema,
  TpmSchema,
  VideoModelSchema,
  VRAM_CHOICES_MIB,
  WatchdogActionSchema,
  type Devices,
  type HostInfo,
} from '@virtweb/protocol';
import { CheckboxField } from '../../../components/CheckboxField.tsx';
import { Field } from '../../../components/Field.tsx';
import { TextField } from '../../../components/TextField.tsx';
import { closestVram } from './devicesChoice.ts';
import { SOUND_LABEL, TPM_LABEL, VIDEO_LABEL, WATCHDOG_ACTION_LABEL } from './labels.ts';
import type { SettingsValues } from './settingsValues.ts';

interface Props {
  values: SettingsValues;
  errors: Partial<Record<string, string>>;
  host: HostInfo | undefined;
  /** Sets the devices; `changed` is the error key the change may fix. */
  patch: (patch: Partial<SettingsValues>, changed: string) => void;
}

/** Video, sound, TPM, RNG and watchdog (virt-manager's Add Hardware), and the vCPU model with the host's flags. */
export function DevicesSection({ values, errors, host, patch }: Props) {
  const d = values.devices;
  const change = (next: Partial<Devices>, changed: string) => patch({ devices: { ...d, ...next } }, changed);
  const models = ['auto', 'max', ...(host?.accel.kvm.usable === true ? ['host'] : [])];
  const named = (host?.cpu?.qemuModels ?? []).filter((m) => !['max', 'host', 'base'].includes(m));
  const offered = [
    ...models,
    ...named,
    ...(models.includes(d.cpuModel) || named.includes(d.cpuModel) ? [] : [d.cpuModel]),
  ];
  return (
    <fieldset className="settings-section">
      <legend>Devices</legend>
      <div className="field-row">
        <Field label="Video" error={errors['devices.video']}>
          {(p) => (
            <select
              {...p}
              value={d.video.model}
              onChange={(e) => {
                const model = VideoModelSchema.parse(e.target.value);
                change({ video: { model, vramMiB: closestVram(model, d.video.vramMiB) } }, 'devices.video');
              }}
            >
              {VideoModelSchema.options.map((m) => (
                <option key={m} value={m}>
                  {VIDEO_LABEL[m]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          label={d.video.model === 'virtio' ? 'GPU host memory' : 'Video memory'}
          error={errors['devices.video.vramMiB']}
        >
          {(p) => (
            <select
              {...p}
              value={d.video.vramMiB}
              onChange={(e) =>
                change({ video: { ...d.video, vramMiB: Number(e.target.value) } }, 'devices.video')
              }
            >
              {VRAM_CHOICES_MIB[d.video.model].map((n) => (
                <option key={n} value={n}>
                  {n} MiB
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Sound" error={errors['devices.sound']}>
          {(p) => (
            <select
              {...p}
              value={d.sound}
              onChange={(e) => change({ sound: SoundSchema.parse(e.target.value) }, 'devices.sound')}
            >
              {SoundSchema.options.map((s) => (
                <option key={s} value={s}>
                  {SOUND_LABEL[s]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          label="TPM"
          error={errors['devices.tpm']}
          hint={
            host?.tpm?.swtpm === false
              ? `This host cannot start one: ${host.tpm.problem ?? 'swtpm is missing'}`
              : 'A TPM 2.0 emulated by swtpm on the host, its keys kept with the VM (Windows 11 needs one).'
          }
        >
          {(p) => (
            <select
              {...p}
              value={d.tpm}
              onChange={(e) => change({ tpm: TpmSchema.parse(e.target.value) }, 'devices.tpm')}
            >
              {TpmSchema.options.map((t) => (
                <option key={t} value={t}>
                  {TPM_LABEL[t]}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <div className="field-row">
        <Field
          label="Watchdog"
          error={errors['devices.watchdog.action'] ?? errors['devices.watchdog']}
          hint="An Intel 6300ESB watchdog: when the guest stops feeding it, qemu does this."
        >
          {(p) => (
            <select
              {...p}
              value={d.watchdog.model === 'none' ? 'none' : d.watchdog.action}
              onChange={(e) => {
                const v = e.target.value;
                change(
                  {
                    watchdog:
                      v === 'none'
                        ? { model: 'none' }
                        : { model: 'i6300esb', action: WatchdogActionSchema.parse(v) },
                  },
                  'devices.watchdog',
                );
              }}
            >
              <option value="none">No watchdog</option>
              {WatchdogActionSchema.options.map((a) => (
                <option key={a} value={a}>
                  i6300esb: {WATCHDOG_ACTION_LABEL[a]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          label="CPU model"
          error={errors['devices.cpuModel']}
          hint="auto: the host's CPU under KVM, max under TCG. host (passthrough) needs KVM."
        >
          {(p) => (
            <select
              {...p}
              value={d.cpuModel}
              onChange={(e) => change({ cpuModel: e.target.value }, 'devices.cpuModel')}
            >
              {offered.map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          label="Serial ports"
          error={errors['devices.serialPorts']}
          hint="ttyS0 is the console (Serial tab, logged); ttyS1 to ttyS3 each get a console of their own."
        >
          {(p) => (
            <select
              {...p}
              value={d.serialPorts}
              onChange={(e) => change({ serialPorts: Number(e.target.value) }, 'devices.serialPorts')}
            >
              {[1, 2, 3, 4].map((n) => (
                <option key={n} value={n}>
                  {n === 1 ? '1 (ttyS0)' : `${n} (ttyS0 to ttyS${n - 1})`}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <CheckboxField
        label="Random number generator"
        checked={d.rng}
        onChange={(rng) => change({ rng }, 'devices.rng')}
        error={errors['devices.rng']}
        hint="A virtio RNG fed from the host's /dev/urandom: entropy for the guest from its first second."
      />
      <CheckboxField
        label="Memory on huge pages"
        checked={d.hugepages}
        onChange={(hugepages) => change({ hugepages }, 'devices.hugepages')}
        error={errors['devices.hugepages']}
        hint={hugePagesHint(host, Number(values.memoryMiB) || 0)}
      />
      <PinningFields values={values} errors={errors} host={host} patch={patch} />
      {host?.cpu && (
        <details className="host-cpu">
          <summary>
            Host CPU: {host.cpu.model} ({host.cpu.flags.length} flags)
          </summary>
          <p className="muted small cpu-flags">{host.cpu.flags.join(' ')}</p>
        </details>
      )}
    </fieldset>
  );
}

/** One field per vCPU: the host CPUs its thread may run on (taskset's list form), empty for any. */
function PinningFields({ values, errors, host, patch }: Props) {
  const vcpus = Number(values.vcpus);
  const count = Number.isInteger(vcpus) && vcpus > 0 ? Math.min(vcpus, 64) : 0;
  const pinned = values.pinning.some((t) => t.trim() !== '');
  const last = (host?.cpus ?? 1) - 1;
  return (
    <details className="pinning" open={pinned || undefined}>
      <summary>vCPU pinning{pinned ? ' (on)' : ''}</summary>
      <p className="muted small">
        Host CPUs each vCPU thread may run on, e.g. <code>1</code> or <code>0-{last}</code> (this host has
        CPUs 0-
        {last}); empty: any. Set with taskset before the guest runs.
      </p>
      <div className="field-row">
        {Array.from({ length: count }, (_, i) => (
          <TextField
            key={i}
            label={`vCPU ${i} on host CPUs`}
            value={values.pinning[i] ?? ''}
            error={errors[`devices.cpuPinning.${i}`]}
            spellCheck={false}
            onChange={(text) => {
              const next = Array.from({ length: Math.max(values.pinning.length, i + 1) }, (_, j) =>
                j === i ? text : (values.pinning[j] ?? ''),
              );
              patch({ pinning: next }, `devices.cpuPinning.${i}`);
            }}
          />
        ))}
      </div>
      {errors['devices.cpuPinning'] && <p className="field-error">{errors['devices.cpuPinning']}</p>}
    </details>
  );
}

/** What the host has of 2 MiB huge pages against what this guest's memory takes of them. */
function hugePagesHint(host: HostInfo | undefined, memoryMiB: number): string {
  const need = Math.ceil(memoryMiB / 2);
  const pages = host?.hugepages;
  const has =
    pages === undefined
      ? "the host's pool is not known"
      : `the host has ${pages.free} free of ${pages.total} reserved (sysctl vm.nr_hugepages)`;
  return `The guest RAM from the host's 2 MiB huge pages (fewer TLB misses): it takes ${need}; ${has}. Checked at start.`;
}
