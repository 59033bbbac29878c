import { useEffect, useEffectEvent, type RefObject } from 'react';

const MODIFIERS = new Set(['Control', 'Alt']);

/**
 * Calls `release` when Ctrl and Alt are pressed together and let go with no other key in between, while the
 * focus is inside `area`: the way out of a console that takes every key (Tab included). Listens in the
 * capture phase and never stops the events, so the guest still sees them.
 */
export function useKeyboardRelease(area: RefObject<HTMLElement | null>, release: () => void): void {
  const onRelease = useEffectEvent(release);
  useEffect(() => {
    const el = area.current;
    if (!el) return;
    let armed = false;
    const onDown = (e: KeyboardEvent) => {
      if (!MODIFIERS.has(e.key)) armed = false;
      else if (e.ctrlKey && e.altKey && !e.shiftKey && !e.metaKey) armed = true;
    };
    const onUp = (e: KeyboardEvent) => {
      if (armed && MODIFIERS.has(e.key)) {
        armed = false;
        onRelease();
      }
    };
    const onBlur = () => {
      armed = false;
    };
    el.addEventListener('keydown', onDown, true);
    el.addEventListener('keyup', onUp, true);
    el.addEventListener('focusout', onBlur);
    return () => {
      el.removeEventListener('keydown', onDown, true);
      el.removeEventListener('keyup', onUp, true);
      el.removeEventListener('focusout', onBlur);
    };
  }, [area]);
}
