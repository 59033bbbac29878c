import {
  TypeTextResponseSchema,
  type KeyCombo,
  type KeyboardLayout,
  type TypeTextResponse,
} from '@virtweb/protocol';
import { requestBlob, requestJson, requestVoid, wsUrl } from './http.ts';

/** A serial port past ttyS0 (the console): ttyS1 to ttyS3, raw, one viewer at a time. */
export type SerialPortKind = `serial${1 | 2 | 3}`;

/** The guest consoles the server bridges over websockets (all binary). */
export type ConsoleKind = 'vnc' | 'monitor' | 'qmp' | 'serial' | SerialPortKind;

const vmPath = (id: string): string => `/api/vms/${encodeURIComponent(id)}`;

/**
 * Opens the websocket of one console (session cookie and same origin, like every API call). The caller owns
 * the socket: noVNC is handed it as is; the terminals read `ArrayBuffer` frames.
 */
export function openConsoleSocket(id: string, kind: ConsoleKind): WebSocket {
  const socket = new WebSocket(wsUrl(`${vmPath(id)}/${kind}`));
  socket.binaryType = 'arraybuffer';
  return socket;
}

/** Presses a key combination the browser cannot send itself (QMP `send-key` on the server). */
export function sendKeys(id: string, keys: KeyCombo): Promise<void> {
  return requestVoid('POST', `${vmPath(id)}/send-keys`, { keys });
}

/**
 * Queues text to be typed into the guest as keystrokes of its keyboard layout; 400 names the first character
 * no key of that layout types.
 */
export function typeText(id: string, text: string, layout: KeyboardLayout): Promise<TypeTextResponse> {
  return requestJson('POST', `${vmPath(id)}/type`, TypeTextResponseSchema, { text, layout });
}

/** Where the guest's serial log downloads from (every run's output the server kept on disk). */
export const serialLogUrl = (id: string): string => `${vmPath(id)}/serial.log`;

/** The guest's screen as PNG (QMP `screendump`, converted by the server); 409 while the guest is stopped. */
export function getScreenshot(id: string): Promise<Blob> {
  return requestBlob('GET', `${vmPath(id)}/screenshot.png`, 'image/png');
}
