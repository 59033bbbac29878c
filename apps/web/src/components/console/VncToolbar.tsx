import type { KeyCombo } from '@virtweb/protocol';
import { KeysMenu } from './KeysMenu.tsx';
import type { HeldKey } from './useHeldKeys.ts';

export interface VncToolbarProps {
  fit: boolean;
  onFit: (fit: boolean) => void;
  fullscreen: boolean;
  onFullscreen: () => void;
  /** Full window: the console covers the page; null where the console is a window of its own. */
  fullWindow: boolean | null;
  onFullWindow: (on: boolean) => void;
  /** Opens the screen in a window of its own; absent in that window. */
  onPopOut?: () => void;
  running: boolean;
  connected: boolean;
  viewOnly: boolean;
  onViewOnly: () => void;
  onSendKeys: (keys: KeyCombo, label: string) => void;
  sending: boolean;
  held: ReadonlySet<HeldKey>;
  onToggleHeld: (key: HeldKey) => void;
  onPaste: () => void;
  onScreenshot: () => void;
  shooting: boolean;
  /** What the status line says ("Connected: QEMU (web1)"). */
  status: string;
  /** Why this user may only look (a read role): keys, paste and the view-only switch are disabled. */
  actReason?: string | undefined;
}

/** The screen's controls: scaling, window modes, keys, paste, screenshot, view only, and the status. */
export function VncToolbar(p: VncToolbarProps) {
  return (
    <div className="console-toolbar" role="group" aria-label="Screen controls">
      <div className="segmented" role="group" aria-label="Scaling">
        <button type="button" className="btn" aria-pressed={p.fit} onClick={() => p.onFit(true)}>
          Scale to fit
        </button>
        <button type="button" className="btn" aria-pressed={!p.fit} onClick={() => p.onFit(false)}>
          1:1
        </button>
      </div>
      <button type="button" className="btn" aria-pressed={p.fullscreen} onClick={p.onFullscreen}>
        Fullscreen
      </button>
      {p.fullWindow !== null && (
        <button
          type="button"
          className="btn"
          aria-pressed={p.fullWindow}
          onClick={() => p.onFullWindow(!p.fullWindow)}
        >
          Full window
        </button>
      )}
      {p.onPopOut && (
        <button type="button" className="btn" onClick={p.onPopOut}>
          Open in a new window
        </button>
      )}
      <KeysMenu
        onSend={p.onSendKeys}
        disabled={!p.running || p.sending || p.actReason !== undefined}
        held={p.held}
        onToggleHeld={p.onToggleHeld}
        holdDisabled={!p.connected || p.viewOnly}
      />
      <button
        type="button"
        className="btn"
        disabled={!p.running || p.actReason !== undefined}
        title={p.actReason}
        onClick={p.onPaste}
      >
        Paste text…
      </button>
      <button
        type="button"
        className="btn"
        disabled={!p.running || p.shooting}
        aria-busy={p.shooting}
        onClick={p.onScreenshot}
      >
        Screenshot
      </button>
      <button
        type="button"
        className="btn"
        aria-pressed={p.viewOnly}
        disabled={p.actReason !== undefined}
        title={p.actReason}
        onClick={p.onViewOnly}
      >
        View only
      </button>
      <span className="console-state muted small" aria-live="polite">
        {p.status}
      </span>
    </div>
  );
}
