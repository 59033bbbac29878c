import { useEffect, type RefObject } from 'react';

/** A column heading's words, without a sort button's arrow. */
const headingText = (th: Element): string => th.textContent.replace(/[↕▲▼]/g, '').trim();

/**
 * Puts each column's heading on its body cells as `data-label`, kept up to date as rows change: on narrow
 * screens a `table.cards` shows every row as a card whose cells name their column (styles/tables.css).
 */
export function useCardLabels(table: RefObject<HTMLTableElement | null>): void {
  useEffect(() => {
    const el = table.current;
    if (!el) return;
    const label = () => {
      const headings = Array.from(el.tHead?.rows[0]?.cells ?? [], headingText);
      for (const body of Array.from(el.tBodies)) {
        for (const row of Array.from(body.rows)) {
          Array.from(row.cells).forEach((cell, i) => {
            const text = headings[i] ?? '';
            if (cell.dataset.label !== text) cell.dataset.label = text;
          });
        }
      }
    };
    label();
    // Attribute changes of the cells are this hook's own: only rows and cells coming and going matter.
    const observer = new MutationObserver(label);
    observer.observe(el, { childList: true, subtree: true });
    return () => observer.disconnect();
  }, [table]);
}
