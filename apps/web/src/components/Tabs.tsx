import { useEffect, useRef, type KeyboardEvent } from 'react';
import './tabs.css';

export interface TabItem<Id extends string> {
  id: Id;
  label: string;
}

interface Props<Id extends string> {
  /** Accessible name of the tablist. */
  label: string;
  /** Prefix for the tab and panel element ids (`${idBase}-tab-${id}`, `${idBase}-panel-${id}`). */
  idBase: string;
  tabs: readonly TabItem<Id>[];
  selected: Id;
  onSelect: (id: Id) => void;
}

export const tabId = (idBase: string, id: string): string => `${idBase}-tab-${id}`;
export const panelId = (idBase: string, id: string): string => `${idBase}-panel-${id}`;

/**
 * A WAI-ARIA tablist with automatic activation: one tab in the Tab order, arrows / Home / End move and
 * select. The page renders the selected panel with `role="tabpanel"` and the ids from `panelId()`. On a
 * narrow screen the strip scrolls sideways and keeps the selected tab in view.
 */
export function Tabs<Id extends string>({ label, idBase, tabs, selected, onSelect }: Props<Id>) {
  const list = useRef<HTMLDivElement>(null);

  // A strip wider than the screen scrolls sideways: the selected tab is always scrolled into it (only
  // sideways; the page does not move).
  useEffect(() => {
    const strip = list.current;
    const tab = strip?.querySelector<HTMLElement>(`#${CSS.escape(tabId(idBase, selected))}`);
    if (!strip || !tab) return;
    const left = tab.offsetLeft - strip.offsetLeft;
    if (left < strip.scrollLeft) strip.scrollLeft = left;
    else if (left + tab.offsetWidth > strip.scrollLeft + strip.clientWidth) {
      strip.scrollLeft = left + tab.offsetWidth - strip.clientWidth;
    }
  }, [idBase, selected]);

  const onKeyDown = (e: KeyboardEvent) => {
    const at = tabs.findIndex((t) => t.id === selected);
    const go = (i: number) => {
      e.preventDefault();
      const tab = tabs[(i + tabs.length) % tabs.length];
      if (!tab) return;
      onSelect(tab.id);
      list.current?.querySelector<HTMLElement>(`#${CSS.escape(tabId(idBase, tab.id))}`)?.focus();
    };
    if (e.key === 'ArrowRight') go(at + 1);
    else if (e.key === 'ArrowLeft') go(at - 1);
    else if (e.key === 'Home') go(0);
    else if (e.key === 'End') go(tabs.length - 1);
  };

  return (
    <div ref={list} className="tabs" role="tablist" aria-label={label} onKeyDown={onKeyDown}>
      {tabs.map((t) => {
        const active = t.id === selected;
        return (
          <button
            key={t.id}
            id={tabId(idBase, t.id)}
            type="button"
            role="tab"
            className="tab"
            aria-selected={active}
            aria-controls={active ? panelId(idBase, t.id) : undefined}
            tabIndex={active ? 0 : -1}
            onClick={() => onSelect(t.id)}
          >
            {t.label}
          </button>
        );
      })}
    </div>
  );
}
