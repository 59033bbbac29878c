import type { KeyboardLayout } from '@virtweb/protocol';
import type { QmpKeyValue, QmpQKeyCode } from '@virtweb/qmp';

/** One physical key: its qcode and the characters it types plain, with Shift and with AltGr ('' for none). */
type KeyRow = readonly [key: QmpQKeyCode, plain: string, shift?: string, altgr?: string];

interface LayoutTable {
  rows: readonly KeyRow[];
  /** Dead keys: their character is typed as the key followed by Space. */
  dead: string;
}

/** Letters on their own keys, upper case with Shift; `moved` puts letters on other keys (QWERTZ, AZERTY). */
function letters(moved: Partial<Record<string, QmpQKeyCode>> = {}): KeyRow[] {
  return 'abcdefghijklmnopqrstuvwxyz'
    .split('')
    .map((c): KeyRow => [moved[c] ?? (c as QmpQKeyCode), c, c.toUpperCase()]);
}

const WHITESPACE: readonly KeyRow[] = [
  ['spc', ' ', ' '],
  ['ret', '\n', '\n'],
  ['tab', '\t', '\t'],
];

/** The keys the US and British layouts share: digits 5-0 and the punctuation around them. */
const US_UK_COMMON: readonly KeyRow[] = [
  ['5', '5', '%'],
  ['6', '6', '^'],
  ['7', '7', '&'],
  ['8', '8', '*'],
  ['9', '9', '('],
  ['0', '0', ')'],
  ['minus', '-', '_'],
  ['equal', '=', '+'],
  ['bracket_left', '[', '{'],
  ['bracket_right', ']', '}'],
  ['semicolon', ';', ':'],
  ['comma', ',', '<'],
  ['dot', '.', '>'],
  ['slash', '/', '?'],
  ...letters(),
];

const US: LayoutTable = {
  rows: [
    ['grave_accent', '`', '~'],
    ['1', '1', '!'],
    ['2', '2', '@'],
    ['3', '3', '#'],
    ['4', '4', '$'],
    ['backslash', '\\', '|'],
    ['apostrophe', "'", '"'],
    ...US_UK_COMMON,
  ],
  dead: '',
};

// British: " and @ swapped, £ on 3, # ~ on the key beside Enter, \ | on the extra key beside left Shift.
const UK: LayoutTable = {
  rows: [
    ['grave_accent', '`', '¬', '¦'],
    ['1', '1', '!'],
    ['2', '2', '"'],
    ['3', '3', '£'],
    ['4', '4', '$', '€'],
    ['apostrophe', "'", '@'],
    ['backslash', '#', '~'],
    ['less', '\\', '|'],
    ...US_UK_COMMON,
  ],
  dead: '',
};

// German (QWERTZ): Y and Z swapped, umlauts where US has punctuation, braces and @ € ~ | µ with AltGr.
const DE: LayoutTable = {
  rows: [
    ['grave_accent', '^', '°'],
    ['1', '1', '!'],
    ['2', '2', '"', '²'],
    ['3', '3', '§', '³'],
    ['4', '4', '$'],
    ['5', '5', '%'],
    ['6', '6', '&'],
    ['7', '7', '/', '{'],
    ['8', '8', '(', '['],
    ['9', '9', ')', ']'],
    ['0', '0', '=', '}'],
    ['minus', 'ß', '?', '\\'],
    ['equal', '´', '`'],
    ['bracket_left', 'ü', 'Ü'],
    ['bracket_right', '+', '*', '~'],
    ['semicolon', 'ö', 'Ö'],
    ['apostrophe', 'ä', 'Ä'],
    ['backslash', '#', "'"],
    ['less', '<', '>', '|'],
    ['comma', ',', ';'],
    ['dot', '.', ':'],
    ['slash', '-', '_'],
    ['q', 'q', 'Q', '@'],
    ['e', 'e', 'E', '€'],
    ['m', 'm', 'M', 'µ'],
    ...letters({ y: 'z', z: 'y' }),
  ],
  dead: '^´`',
};

// French (AZERTY): digits with Shift, accented letters and punctuation on the digit row, A/Q Z/W swapped,
// M beside L.
const FR: LayoutTable = {
  rows: [
    ['grave_accent', '²'],
    ['1', '&', '1'],
    ['2', 'é', '2', '~'],
    ['3', '"', '3', '#'],
    ['4', "'", '4', '{'],
    ['5', '(', '5', '['],
    ['6', '-', '6', '|'],
    ['7', 'è', '7', '`'],
    ['8', '_', '8', '\\'],
    ['9', 'ç', '9', '^'],
    ['0', 'à', '0', '@'],
    ['minus', ')', '°', ']'],
    ['equal', '=', '+', '}'],
    ['bracket_left', '^', '¨'],
    ['bracket_right', '$', '£', '¤'],
    ['apostrophe', 'ù', '%'],
    ['backslash', '*', 'µ'],
    ['less', '<', '>'],
    ['m', ',', '?'],
    ['comma', ';', '.'],
    ['dot', ':', '/'],
    ['slash', '!', '§'],
    ['e', 'e', 'E', '€'],
    ...letters({ a: 'q', q: 'a', z: 'w', w: 'z', m: 'semicolon' }),
  ],
  dead: '^¨',
};

const TABLES: Record<KeyboardLayout, LayoutTable> = { us: US, uk: UK, de: DE, fr: FR };

const qcode = (data: QmpQKeyCode): QmpKeyValue => ({ type: 'qcode', data });
const SPACE = [qcode('spc')];

/** Each character of a layout as the strokes that type it (one stroke: keys pressed together). */
function strokesOf(table: LayoutTable): Map<string, QmpKeyValue[][]> {
  const map = new Map<string, QmpKeyValue[][]>();
  const add = (ch: string | undefined, keys: QmpKeyValue[]) => {
    // The first key that types a character wins: plain before Shift before AltGr.
    if (!ch || map.has(ch)) return;
    map.set(ch, table.dead.includes(ch) ? [keys, SPACE] : [keys]);
  };
  const rows = [...table.rows, ...WHITESPACE];
  for (const [key, plain] of rows) add(plain, [qcode(key)]);
  for (const [key, , shift] of rows) add(shift, [qcode('shift'), qcode(key)]);
  for (const [key, , , altgr] of rows) add(altgr, [qcode('alt_r'), qcode(key)]);
  return map;
}

const STROKES = new Map(
  Object.entries(TABLES).map(([layout, table]) => [layout as KeyboardLayout, strokesOf(table)]),
);

/** The strokes that type `ch` with `layout`, or undefined when no key of that layout types it. */
export function charStrokes(ch: string, layout: KeyboardLayout): QmpKeyValue[][] | undefined {
  return STROKES.get(layout)?.get(ch);
}

/** Every character a layout types (for tests and messages). */
export function layoutChars(layout: KeyboardLayout): string[] {
  return [...(STROKES.get(layout)?.keys() ?? [])];
}
