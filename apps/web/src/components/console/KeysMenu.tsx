import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import type { KeyCombo } from '@virtweb/protocol';
import { HELD_KEYS, type HeldKey } from './useHeldKeys.ts';

const F_KEYS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] as const;

// virt-manager's and Proxmox's lists: what the host or the browser would take for itself.
const ITEMS: readonly { keys: KeyCombo; label: string }[] = [
  { keys: 'ctrl-alt-delete', label: 'Ctrl+Alt+Del' },
  { keys: 'ctrl-alt-backspace', label: 'Ctrl+Alt+Backspace' },
  { keys: 'esc', label: 'Esc' },
  { keys: 'tab', label: 'Tab' },
  { keys: 'super', label: 'Super (Windows key)' },
  { keys: 'print', label: 'PrintScreen' },
  { keys: 'alt-tab', label: 'Alt+Tab' },
  { keys: 'alt-f4', label: 'Alt+F4' },
  { keys: 'ctrl-esc', label: 'Ctrl+Esc' },
  ...F_KEYS.map((n) => ({ keys: `ctrl-alt-f${n}`, label: `Ctrl+Alt+F${n}` })),
];

interface Props {
  onSend: (keys: KeyCombo, label: string) => void;
  /** Modifiers held down in the guest until released (sticky keys). */
  held: ReadonlySet<HeldKey>;
  onToggleHeld: (key: HeldKey) => void;
  disabled?: boolean;
  /** Holding needs the screen's connection; sending goes through the server. */
  holdDisabled?: boolean;
}

/**
 * "Send key" menu button (WAI-ARIA menu pattern): arrows, Home/End move, Enter/Space send, Escape closes
 * and returns focus to the button. Below the keys, sticky modifiers: held in the guest until chosen again,
 * so that they combine with what is typed on the screen or sent from this menu.
 */
export function KeysMenu({ onSend, held, onToggleHeld, disabled, holdDisabled }: Props) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLUListElement>(null);
  const menuId = useId();

  const items = () =>
    Array.from(menu.current?.querySelectorAll<HTMLElement>('[role^="menuitem"]:not(:disabled)') ?? []);

  useEffect(() => {
    if (!open) return;
    items()[0]?.focus();
    const onPointer = (e: PointerEvent) => {
      const target = e.target as Node;
      if (!menu.current?.contains(target) && !button.current?.contains(target)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointer);
    return () => document.removeEventListener('pointerdown', onPointer);
  }, [open]);

  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) button.current?.focus();
  };

  const onMenuKey = (e: KeyboardEvent) => {
    const list = items();
    const at = list.indexOf(document.activeElement as HTMLElement);
    const move = (i: number) => {
      e.preventDefault();
      list[(i + list.length) % list.length]?.focus();
    };
    if (e.key === 'ArrowDown') move(at + 1);
    else if (e.key === 'ArrowUp') move(at - 1);
    else if (e.key === 'Home') move(0);
    else if (e.key === 'End') move(list.length - 1);
    else if (e.key === 'Escape') {
      e.preventDefault();
      close(true);
    } else if (e.key === 'Tab') close(false);
  };

  const heldNames = HELD_KEYS.filter((k) => held.has(k.key)).map((k) => k.label);
  return (
    <div className="menu-wrap">
      <button
        ref={button}
        type="button"
        className="btn"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        disabled={disabled === true && holdDisabled === true}
        onClick={() => setOpen((o) => !o)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' && !open) {
            e.preventDefault();
            setOpen(true);
          }
        }}
      >
        Send key{heldNames.length > 0 ? ` (${heldNames.join('+')} held)` : ''} ▾
      </button>
      {open && (
        <ul ref={menu} id={menuId} className="menu" role="menu" aria-label="Send key" onKeyDown={onMenuKey}>
          {ITEMS.map((item) => (
            <li key={item.keys} role="none">
              <button
                type="button"
                role="menuitem"
                tabIndex={-1}
                disabled={disabled}
                onClick={() => {
                  close(true);
                  onSend(item.keys, item.label);
                }}
              >
                {item.label}
              </button>
            </li>
          ))}
          <li role="separator" className="menu-separator" />
          {HELD_KEYS.map(({ key, label }) => (
            <li key={key} role="none">
              <button
                type="button"
                role="menuitemcheckbox"
                aria-checked={held.has(key)}
                tabIndex={-1}
                disabled={holdDisabled}
                onClick={() => {
                  close(false);
                  onToggleHeld(key);
                }}
              >
                Hold {label}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
