import { describe, expect, it } from 'vitest';
import { followSuggestion, nameProblem, suggestName } from './wizardName.ts';
import type { WizardValues } from './wizardValues.ts';

const source = {
  media: 'iso',
  iso: 'debian-12.4.0-amd64-netinst.iso',
  importDisk: '',
  kernel: '',
  os: 'linux',
} as const;

describe('suggestName', () => {
  it('names the guest after what it boots, without the extension', () => {
    expect(suggestName(source, [])).toBe('debian-12.4.0-amd64-netinst');
    expect(suggestName({ ...source, media: 'import', importDisk: 'web.qcow2' }, [])).toBe('web');
    expect(suggestName({ ...source, media: 'kernel', kernel: 'vmlinuz-6.1' }, [])).toBe('vmlinuz-6.1');
  });

  it('makes any file name a valid VM name, and falls back to the OS type', () => {
    expect(suggestName({ ...source, iso: 'Win 11 (x64)+ISO.iso' }, [])).toBe('Win-11-x64-ISO');
    expect(suggestName({ ...source, iso: '..hidden.iso' }, [])).toBe('hidden');
    expect(suggestName({ ...source, iso: '' }, [])).toBe('linux');
    expect(suggestName({ ...source, iso: '', os: 'windows' }, [])).toBe('windows');
  });

  it('counts up past the names that are taken', () => {
    expect(suggestName({ ...source, iso: 'tinylinux.iso' }, ['tinylinux', 'tinylinux-2'])).toBe(
      'tinylinux-3',
    );
  });
});

describe('followSuggestion', () => {
  const before = { ...source, name: 'debian-12.4.0-amd64-netinst' } as unknown as WizardValues;

  it('follows a new ISO while the name is the suggestion', () => {
    const after = { ...before, iso: 'alpine.iso' };
    expect(followSuggestion(before, after, [])).toBe('alpine');
  });

  it('keeps a name the user typed', () => {
    const typed = { ...before, name: 'mine' };
    expect(followSuggestion(typed, { ...typed, iso: 'alpine.iso' }, [])).toBe('mine');
  });
});

describe('nameProblem', () => {
  it('flags a taken name and a bad character as they are typed; an empty name waits for Next', () => {
    expect(nameProblem('web1', ['web1'])).toBe('a VM named web1 already exists');
    expect(nameProblem('web 1', [])).toMatch(/no spaces/);
    expect(nameProblem('', ['web1'])).toBeUndefined();
    expect(nameProblem('web2', ['web1'])).toBeUndefined();
  });
});
