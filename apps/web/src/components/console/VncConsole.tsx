import { useEffect, useRef, useState } from 'react';
import RFB from '@novnc/novnc';
import type { KeyCombo } from '@virtweb/protocol';
import { openConsoleSocket } from '../../api/consoles.ts';
import { ApiError } from '../../api/errors.ts';
import { useRoleGate } from '../../queries/role.ts';
import { useScreenshot, useSendKeys } from '../../queries/consoles.ts';
import { useNotify } from '../notify/context.ts';
import { PasteDialog } from './PasteDialog.tsx';
import { SessionBanner } from './SessionBanner.tsx';
import { useConsoleSession, type ConsolePhase, type SocketClose } from './useConsoleSession.ts';
import { useFitHeight } from './useFitHeight.ts';
import { useHeldKeys } from './useHeldKeys.ts';
import { useKeyboardRelease } from './useKeyboardRelease.ts';
import { VncToolbar } from './VncToolbar.tsx';
import './console.css';

interface Props {
  vmId: string;
  vmName: string;
  phase: ConsolePhase;
  /** Changes with every new qemu process (stop/start): the screen reconnects. */
  generation: string;
  /** `window`: the console is the whole (pop-out) window; `page`: a tab of the guest's page. */
  variant?: 'page' | 'window';
}

function stamp(date: Date): string {
  return date.toISOString().slice(0, 19).replaceAll(':', '-');
}

/** Saves a blob as a file through a temporary link (the browser's download, no new tab). */
function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The pop-out console's address (`/vms/:id/console-window`), opened as virt-manager's console window. */
export const consoleWindowPath = (vmId: string): string => `/vms/${encodeURIComponent(vmId)}/console-window`;

/**
 * The guest's graphical console: noVNC over the authenticated `/api/vms/:id/vnc` websocket, with scaling
 * that fits the window, fullscreen, a full-window mode (toolbar collapsed), a pop-out window, keys the
 * browser cannot send (and sticky modifiers), paste-as-keystrokes, screenshot and view-only mode.
 */
export function VncConsole({ vmId, vmName, phase, generation, variant = 'page' }: Props) {
  const frame = useRef<HTMLDivElement>(null);
  const screen = useRef<HTMLDivElement>(null);
  const rfbRef = useRef<RFB | null>(null);
  const [fit, setFit] = useState(true);
  // A read user sees the screen but may not touch it (the server drops its input too).
  const { reason: actReason } = useRoleGate('operate');
  const [viewOnlyChosen, setViewOnly] = useState(false);
  const viewOnly = viewOnlyChosen || actReason !== undefined;
  const [fullscreen, setFullscreen] = useState(false);
  const [fullWindow, setFullWindow] = useState(false);
  const [toolbarShown, setToolbarShown] = useState(true);
  const [pasteOpen, setPasteOpen] = useState(false);
  const [desktop, setDesktop] = useState('');
  const sendKeys = useSendKeys(vmId);
  const screenshot = useScreenshot(vmId);
  const notify = useNotify();
  const heldKeys = useHeldKeys();
  const filling = variant === 'window' || fullWindow || fullscreen;
  useFitHeight(screen, frame, !filling);

  const { status, reconnect } = useConsoleSession(phase, generation, ({ opened, closed }) => {
    const target = screen.current;
    if (!target) return () => undefined;
    const socket = openConsoleSocket(vmId, 'vnc');
    let close: SocketClose = { code: 1006, reason: '' };
    // Added before noVNC sets `onclose`, so the close frame is known when its `disconnect` event fires.
    const onSocketClose = (e: CloseEvent) => {
      close = { code: e.code, reason: e.reason };
    };
    socket.addEventListener('close', onSocketClose);
    const rfb = new RFB(target, socket, { shared: true });
    rfb.scaleViewport = fit;
    rfb.viewOnly = viewOnly;
    rfb.background = 'var(--screen-bg)';
    const onConnect = () => {
      const canvas = target.querySelector('canvas');
      if (canvas) {
        // Reachable with Tab (noVNC makes it click-only); `application`: every key goes to the guest.
        canvas.tabIndex = 0;
        canvas.setAttribute('role', 'application');
        canvas.setAttribute('aria-roledescription', 'remote screen');
        canvas.setAttribute('aria-label', `Screen of ${vmName}`);
      }
      opened();
    };
    const onDisconnect = () => {
      heldKeys.releaseAll(null);
      closed(close);
    };
    const onName = (e: CustomEvent<{ name: string }>) => setDesktop(e.detail.name);
    rfb.addEventListener('connect', onConnect);
    rfb.addEventListener('disconnect', onDisconnect);
    rfb.addEventListener('desktopname', onName);
    rfbRef.current = rfb;
    return () => {
      heldKeys.releaseAll(rfb);
      rfb.removeEventListener('connect', onConnect);
      rfb.removeEventListener('disconnect', onDisconnect);
      rfb.removeEventListener('desktopname', onName);
      socket.removeEventListener('close', onSocketClose);
      rfbRef.current = null;
      rfb.disconnect();
    };
  });

  useEffect(() => {
    if (rfbRef.current) rfbRef.current.scaleViewport = fit;
  }, [fit]);
  useEffect(() => {
    if (rfbRef.current) rfbRef.current.viewOnly = viewOnly;
  }, [viewOnly]);

  useEffect(() => {
    const onChange = () => setFullscreen(document.fullscreenElement === frame.current);
    document.addEventListener('fullscreenchange', onChange);
    return () => document.removeEventListener('fullscreenchange', onChange);
  }, []);

  // Ctrl+Alt pressed and released alone gives the keyboard back to the page (as in virt-manager).
  useKeyboardRelease(screen, () =>
    frame.current?.querySelector<HTMLElement>('.console-controls button')?.focus(),
  );

  const toggleFullscreen = () => {
    const el = frame.current;
    if (!el) return;
    const done = document.fullscreenElement ? document.exitFullscreen() : el.requestFullscreen();
    done.catch(() => undefined);
  };

  const setWindowMode = (on: boolean) => {
    setFullWindow(on);
    // Full window starts with the toolbar folded away: the guest gets the whole window.
    setToolbarShown(!on);
  };

  const popOut = () => {
    const w = window.open(consoleWindowPath(vmId), `virtweb-screen-${vmId}`, 'popup,width=1040,height=860');
    if (!w) {
      notify.error(
        'Could not open a window',
        new ApiError(0, 'popup_blocked', 'the browser blocked the pop-up'),
      );
    }
  };

  const onSendKeys = (keys: KeyCombo, label: string) =>
    sendKeys.mutate(keys, {
      onSuccess: () => rfbRef.current?.focus(),
      onError: (err) => notify.error(`Could not send ${label} to ${vmName}`, err),
    });

  const onScreenshot = () =>
    screenshot.mutate(undefined, {
      onSuccess: (blob) => download(blob, `${vmName}-${stamp(new Date())}.png`),
      onError: (err) => notify.error(`Could not take a screenshot of ${vmName}`, err),
    });

  const connected = status.kind === 'open';
  const held = [...heldKeys.held].join('+');
  const state = connected
    ? `Connected${desktop ? `: ${desktop}` : ''}${viewOnly ? (actReason ? ` (view only: ${actReason.toLowerCase()})` : ' (view only)') : ''}${held ? ` · ${held} held` : ''}`
    : '';
  const collapsible = fullWindow && variant === 'page';
  const classes = [
    'console',
    'vnc',
    fullscreen && 'fullscreen',
    filling && 'filling',
    collapsible && 'full-window',
  ];
  return (
    <div ref={frame} className={classes.filter(Boolean).join(' ')}>
      <div className="console-controls">
        {collapsible && (
          <button
            type="button"
            className="btn console-fold"
            aria-expanded={toolbarShown}
            onClick={() => setToolbarShown((s) => !s)}
          >
            {toolbarShown ? 'Hide toolbar' : 'Show toolbar'}
          </button>
        )}
        {toolbarShown && (
          <VncToolbar
            fit={fit}
            onFit={setFit}
            fullscreen={fullscreen}
            onFullscreen={toggleFullscreen}
            fullWindow={variant === 'page' ? fullWindow : null}
            onFullWindow={setWindowMode}
            onPopOut={variant === 'page' ? popOut : undefined}
            running={phase === 'on'}
            connected={connected}
            viewOnly={viewOnly}
            onViewOnly={() => setViewOnly((v) => !v)}
            actReason={actReason}
            onSendKeys={onSendKeys}
            sending={sendKeys.isPending}
            held={heldKeys.held}
            onToggleHeld={(key) => {
              heldKeys.toggle(rfbRef.current, key);
              rfbRef.current?.focus();
            }}
            onPaste={() => setPasteOpen(true)}
            onScreenshot={onScreenshot}
            shooting={screenshot.isPending}
            status={state}
          />
        )}
      </div>
      <SessionBanner what="screen" status={status} onReconnect={reconnect} />
      <div
        ref={screen}
        className={status.kind === 'off' || status.kind === 'closed' ? 'vnc-screen idle' : 'vnc-screen'}
        data-fit={fit ? 'fit' : '1:1'}
      />
      {!filling && (
        <p className="console-hint muted small">
          Click the screen or Tab to it to type into the guest; press and release Ctrl+Alt to leave it.
        </p>
      )}
      <PasteDialog vmId={vmId} vmName={vmName} open={pasteOpen} onClose={() => setPasteOpen(false)} />
    </div>
  );
}
