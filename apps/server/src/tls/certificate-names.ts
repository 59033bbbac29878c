/** A certificate's subject alternative names as Node writes them (`DNS:a, IP Address:1.2.3.4`) → `['a', '1.2.3.4']`. */
export function sanList(san: string | undefined): string[] {
  if (san === undefined) return [];
  return san
    .split(', ')
    .map((entry) => entry.slice(entry.indexOf(':') + 1))
    .filter((v) => v !== '');
}

/** A certificate's expiry (Node's `valid_to` text) as ISO 8601, or '' when unreadable. */
export function isoDate(text: string): string {
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString();
}
