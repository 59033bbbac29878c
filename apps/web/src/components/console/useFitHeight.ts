import { useEffect, type RefObject } from 'react';

/** Below this the screen is not squeezed further: the page scrolls instead. */
const MIN_HEIGHT_PX = 200;
/** Room left under the console so its frame's edge shows too. */
const MARGIN_PX = 8;

/**
 * Sizes `screen` (while `enabled`) so that it and what its `frame` shows below it end inside the window
 * when the page is scrolled to the top: "scale to fit" then fits the guest's whole screen in the window. A
 * fixed `calc(100vh - …)` cannot know how tall the header, the actions and a wrapped toolbar are.
 */
export function useFitHeight(
  screen: RefObject<HTMLElement | null>,
  frame: RefObject<HTMLElement | null>,
  enabled: boolean,
): void {
  useEffect(() => {
    const el = screen.current;
    const outer = frame.current;
    if (!el || !outer) return;
    if (!enabled) {
      el.style.removeProperty('height');
      return;
    }
    let raf = 0;
    const fit = () => {
      cancelAnimationFrame(raf);
      raf = requestAnimationFrame(() => {
        const box = el.getBoundingClientRect();
        const top = box.top + window.scrollY;
        const below = outer.getBoundingClientRect().bottom - box.bottom;
        const height = Math.max(MIN_HEIGHT_PX, window.innerHeight - top - below - MARGIN_PX);
        if (Math.abs(height - box.height) >= 1) el.style.height = `${Math.floor(height)}px`;
      });
    };
    // What is above (banners, a toolbar that wraps) moves the screen without resizing it: watch the page.
    const observer = new ResizeObserver(fit);
    observer.observe(document.body);
    observer.observe(outer);
    window.addEventListener('resize', fit);
    fit();
    return () => {
      cancelAnimationFrame(raf);
      observer.disconnect();
      window.removeEventListener('resize', fit);
      el.style.removeProperty('height');
    };
  }, [screen, frame, enabled]);
}
