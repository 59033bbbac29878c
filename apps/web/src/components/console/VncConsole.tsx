import { useEffect, useRef, useState } from 'react';
import RFB from '@novnc/novnc';
import type { KeyCombo } from '@virtweb/protocol';
import { openConsoleSocket } from '../../api/consoles.ts';
import { useScreenshot, useSendKeys } from '../../queries/consoles.ts';
import { useNotify } from '../notify/context.ts';
import { KeysMenu } from './KeysMenu.tsx';
import { PasteDialog } from './PasteDialog.tsx';
import { SessionBanner } from './SessionBanner.tsx';
import { useConsoleSession, type ConsolePhase, type SocketClose } from './useConsoleSession.ts';
import { useKeyboardRelease } from './useKeyboardRelease.ts';

interface Props {
  vmId: string;
  vmName: string;
  phase: ConsolePhase;
  /** Changes with every new qemu process (stop/start): the screen reconnects. */
  generation: string;
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

/**
 * The guest's graphical console: noVNC over the authenticated `/api/vms/:id/vnc` websocket, with scaling,
 * fullscreen, keys the browser cannot send, paste-as-keystrokes, screenshot and view-only mode.
 */
export function VncConsole({ vmId, vmName, phase, generation }: Props) {
  const frame = useRef<HTMLDivElement>(null);
  const screen = useRef<HTMLDivElement>(null);
  const toolbar = useRef<HTMLDivElement>(null);
  const rfbRef = useRef<RFB | null>(null);
  const [fit, setFit] = useState(true);
  const [viewOnly, setViewOnly] = useState(false);
  const [fullscreen, setFullscreen] = useState(false);
  const [pasteOpen, setPasteOpen] = useState(false);
  const [desktop, setDesktop] = useState('');
  const sendKeys = useSendKeys(vmId);
  const screenshot = useScreenshot(vmId);
  const notify = useNotify();

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
    const onDisconnect = () => closed(close);
    const onName = (e: CustomEvent<{ name: string }>) => setDesktop(e.detail.name);
    rfb.addEventListener('connect', onConnect);
    rfb.addEventListener('disconnect', onDisconnect);
    rfb.addEventListener('desktopname', onName);
    rfbRef.current = rfb;
    return () => {
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
  useKeyboardRelease(screen, () => toolbar.current?.querySelector<HTMLElement>('button')?.focus());

  const toggleFullscreen = () => {
    const el = frame.current;
    if (!el) return;
    const done = document.fullscreenElement ? document.exitFullscreen() : el.requestFullscreen();
    done.catch(() => undefined);
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

  const running = phase === 'on';
  const connected = status.kind === 'open';
  return (
    <div ref={frame} className={fullscreen ? 'console vnc fullscreen' : 'console vnc'}>
      <div ref={toolbar} className="console-toolbar" role="group" aria-label="Screen controls">
        <div className="segmented" role="group" aria-label="Scaling">
          <button type="button" className="btn" aria-pressed={fit} onClick={() => setFit(true)}>
            Scale to fit
          </button>
          <button type="button" className="btn" aria-pressed={!fit} onClick={() => setFit(false)}>
            1:1
          </button>
        </div>
        <button type="button" className="btn" aria-pressed={fullscreen} onClick={toggleFullscreen}>
          Fullscreen
        </button>
        <KeysMenu onSend={onSendKeys} disabled={!running || sendKeys.isPending} />
        <button type="button" className="btn" disabled={!running} onClick={() => setPasteOpen(true)}>
          Paste text…
        </button>
        <button
          type="button"
          className="btn"
          disabled={!running || screenshot.isPending}
          aria-busy={screenshot.isPending}
          onClick={onScreenshot}
        >
          Screenshot
        </button>
        <button type="button" className="btn" aria-pressed={viewOnly} onClick={() => setViewOnly((v) => !v)}>
          View only
        </button>
        <span className="console-state muted small" aria-live="polite">
          {connected ? `Connected${desktop ? `: ${desktop}` : ''}${viewOnly ? ' (view only)' : ''}` : ''}
        </span>
      </div>
      <SessionBanner what="screen" status={status} onReconnect={reconnect} />
      <div
        ref={screen}
        className={status.kind === 'off' || status.kind === 'closed' ? 'vnc-screen idle' : 'vnc-screen'}
        data-fit={fit ? 'fit' : '1:1'}
      />
      <p className="console-hint muted small">
        Click the screen or Tab to it to type into the guest; press and release Ctrl+Alt to leave it.
      </p>
      <PasteDialog vmId={vmId} vmName={vmName} open={pasteOpen} onClose={() => setPasteOpen(false)} />
    </div>
  );
}
