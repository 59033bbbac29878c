import { wsUrl } from './http.ts';

export interface SerialHandlers {
  /** Decoded text of the guest's serial console (the scrollback arrives first). */
  onText: (text: string) => void;
  onClose: () => void;
}

/** Opens the read side of `/api/vms/:id/serial`; returns the function that closes it. */
export function openSerial(id: string, handlers: SerialHandlers): () => void {
  const socket = new WebSocket(wsUrl(`/api/vms/${encodeURIComponent(id)}/serial`));
  socket.binaryType = 'arraybuffer';
  const decoder = new TextDecoder('utf-8');
  socket.onmessage = (msg: MessageEvent) => {
    const data: unknown = msg.data;
    if (typeof data === 'string') handlers.onText(data);
    else if (data instanceof ArrayBuffer) handlers.onText(decoder.decode(data, { stream: true }));
  };
  socket.onclose = () => handlers.onClose();
  socket.onerror = () => undefined;
  return () => {
    socket.onmessage = null;
    socket.onclose = null;
    socket.close(1000, 'closed by the page');
  };
}
