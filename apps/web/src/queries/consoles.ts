import { useMutation } from '@tanstack/react-query';
import type { KeyCombo, KeyboardLayout } from '@virtweb/protocol';
import { getScreenshot, sendKeys, typeText } from '../api/consoles.ts';

// Console actions change nothing the caches hold (state changes, e.g. a reset, arrive as events).

export function useSendKeys(id: string) {
  return useMutation({ mutationFn: (keys: KeyCombo) => sendKeys(id, keys) });
}

export function useTypeText(id: string) {
  return useMutation({
    mutationFn: ({ text, layout }: { text: string; layout: KeyboardLayout }) => typeText(id, text, layout),
  });
}

export function useScreenshot(id: string) {
  return useMutation({ mutationFn: () => getScreenshot(id) });
}
