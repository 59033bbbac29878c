import {
  DiskCacheSchema,
  DiskDiscardSchema,
  diskOptionsProblem,
  type DiskBus,
  type DiskCache,
  type DiskDiscard,
} from '@virtweb/protocol';
import { CheckboxField } from '../../../components/CheckboxField.tsx';
import { Field } from '../../../components/Field.tsx';

/** A disk's options as the form holds them (all set: the defaults are shown, not left out). */
export interface DiskOptionValues {
  cache: DiskCache;
  discard: DiskDiscard;
  readOnly: boolean;
}

export const DEFAULT_OPTION_VALUES: DiskOptionValues = {
  cache: 'writeback',
  discard: 'ignore',
  readOnly: false,
};

const CACHE_HINTS: Record<DiskCache, string> = {
  writeback: 'host page cache, flushes honoured (default)',
  none: 'O_DIRECT, no host cache',
  writethrough: 'every write flushed to the host disk',
  directsync: 'O_DIRECT and every write flushed',
  unsafe: 'flushes ignored: fast, loses data if the host crashes',
};

/** Cache mode, discard and read-only of a disk on `bus` (what the bus cannot do is said at its field). */
export function DiskOptionsFields({
  bus,
  values,
  onChange,
  errors = {},
}: {
  bus: DiskBus;
  values: DiskOptionValues;
  onChange: (values: DiskOptionValues) => void;
  errors?: Partial<Record<keyof DiskOptionValues, string>>;
}) {
  const problem = diskOptionsProblem(bus, values);
  const error = (field: keyof DiskOptionValues) =>
    errors[field] ?? (problem?.field === field ? problem.message : undefined);
  return (
    <div className="field-row">
      <Field label="Cache mode" error={error('cache')}>
        {(p) => (
          <select
            {...p}
            value={values.cache}
            onChange={(e) => onChange({ ...values, cache: DiskCacheSchema.parse(e.target.value) })}
          >
            {DiskCacheSchema.options.map((c) => (
              <option key={c} value={c}>
                {c} ({CACHE_HINTS[c]})
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Discard" error={error('discard')}>
        {(p) => (
          <select
            {...p}
            value={values.discard}
            onChange={(e) => onChange({ ...values, discard: DiskDiscardSchema.parse(e.target.value) })}
          >
            <option value="ignore">ignore (default)</option>
            <option value="unmap">unmap (TRIM gives space back to the image)</option>
          </select>
        )}
      </Field>
      <CheckboxField
        label="Read-only"
        checked={values.readOnly}
        onChange={(readOnly) => onChange({ ...values, readOnly })}
        error={error('readOnly')}
      />
    </div>
  );
}

/** The options in a few words for the disk table: "writeback", "none, unmap, read-only". */
export function optionsLabel(d: {
  cache?: DiskCache | undefined;
  discard?: DiskDiscard | undefined;
  readOnly?: boolean | undefined;
}): string {
  return [
    d.cache ?? 'writeback',
    ...(d.discard === 'unmap' ? ['unmap'] : []),
    ...(d.readOnly === true ? ['read-only'] : []),
  ].join(', ');
}
