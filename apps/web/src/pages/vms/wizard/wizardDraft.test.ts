import { describe, expect, it } from 'vitest';
import type { HostInfo } from '@virtweb/protocol';
import { DRAFT_KEY, clearDraft, loadDraft, saveDraft, type WizardDraft } from './wizardDraft.ts';
import { initialWizardValues } from './wizardValues.ts';

function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (k) => items.get(k) ?? null,
    key: (i) => [...items.keys()][i] ?? null,
    removeItem: (k) => void items.delete(k),
    setItem: (k, v) => void items.set(k, v),
  };
}

const host = { network: { bridges: ['br0'], taps: [] } } as unknown as HostInfo;

const draft: WizardDraft = {
  values: { ...initialWizardValues([], host), name: 'web1', memoryMiB: '2048' },
  touched: ['memoryMiB'],
  step: 'cpu',
  reached: 2,
};

describe('wizard draft', () => {
  it('comes back as it was saved', () => {
    const storage = memoryStorage();
    saveDraft(storage, draft);
    expect(loadDraft(storage)).toEqual(draft);
    clearDraft(storage);
    expect(loadDraft(storage)).toBeNull();
  });

  it('is ignored when it is not one this version wrote', () => {
    const storage = memoryStorage();
    storage.setItem(DRAFT_KEY, '{not json');
    expect(loadDraft(storage)).toBeNull();
    storage.setItem(DRAFT_KEY, JSON.stringify({ ...draft, step: 'nowhere' }));
    expect(loadDraft(storage)).toBeNull();
    storage.setItem(DRAFT_KEY, JSON.stringify({ ...draft, values: { ...draft.values, os: 'plan9' } }));
    expect(loadDraft(storage)).toBeNull();
  });

  it('survives a storage that refuses', () => {
    const refusing = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    expect(loadDraft(refusing)).toBeNull();
    expect(() => saveDraft(refusing, draft)).not.toThrow();
  });
});
