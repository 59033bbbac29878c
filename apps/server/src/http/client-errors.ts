// Requests Node's HTTP parser refuses before Express sees them (a broken request line, oversized headers,
// conflicting lengths, a header timeout): answered the API's way instead of with Node's bare status line.
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { ErrorCode, type ApiErrorBody } from '@virtweb/protocol';

interface ParserError extends Error {
  code?: string;
}

/** The status and words for one of Node's client errors (llhttp's `HPE_*` codes and Node's own). */
export function clientErrorAnswer(err: ParserError): { status: number; reason: string; body: ApiErrorBody } {
  const [status, reason, code, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', ErrorCode.tooLarge, 'request headers too large']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', ErrorCode.requestTimeout, 'the request headers took too long']
        : [400, 'Bad Request', ErrorCode.badRequest, 'malformed HTTP request'];
  return { status, reason, body: { error: { code, message } } };
}

/** Installs the one `clientError` handler: a JSON answer where the socket can still take one, then close. */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (err: ParserError, socket: Duplex) => {
    // A client that hung up, or a request whose answer has begun, gets nothing more.
    if (err.code === 'ECONNRESET' || !socket.writable || socket.writableLength > 0) {
      socket.destroy();
      return;
    }
    const { status, reason, body } = clientErrorAnswer(err);
    const text = JSON.stringify(body);
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
    );
  });
}
