// Terminal escapes (CSI, OSC, charset; also one cut off at the end) and control characters but newline and
// tab: a read-only log shows the text only. Stripped on the whole text, as frames split sequences anywhere.
const ESCAPES =
  // eslint-disable-next-line no-control-regex
  /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][A-Za-z0-9]|\x1b[^[\]()]|\x1b(?:\[[0-9;?]*|\][^\x07]*|[()])?$|[\x00-\x08\x0b-\x1f\x7f]/g;

/** The serial output as plain text. */
export function plainText(raw: string): string {
  return raw.replace(ESCAPES, '');
}
