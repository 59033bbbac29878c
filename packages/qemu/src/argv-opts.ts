/**
 * Escapes a value for qemu's QemuOpts syntax (`key=value,key=value`), where a literal comma is written `,,`.
 */
export function escapeOptValue(value: string): string {
  return value.replaceAll(',', ',,');
}

/** Throws the RangeError of an unusable spec; validators get one bound to the guest's name. */
export type Fail = (msg: string) => never;

/**
 * Runtime check of a value the types already promise: specs can come from JSON (fixtures, stored configs),
 * so enum-like fields are checked before they reach qemu's argv.
 */
export function isOneOf(value: unknown, allowed: readonly string[]): boolean {
  return typeof value === 'string' && allowed.includes(value);
}

/** A device's `device_add` properties. */
export type DeviceProps = { driver: string } & Record<string, string | number>;

/** A `-device` option from its `device_add` properties: the driver first, then `key=value` (values escaped). */
export function deviceOpt(props: DeviceProps): string {
  return Object.entries(props)
    .map(([k, v]) => (k === 'driver' ? String(v) : `${k}=${escapeOptValue(String(v))}`))
    .join(',');
}
