// The server's port. With TLS it answers HTTPS and, to a plain-HTTP request on the same port, a redirect to the
// https:// URL (as Cockpit does): the first byte of a connection tells which (0x16 opens a TLS handshake).
import http from 'node:http';
import type https from 'node:https';
import net from 'node:net';

/** The first byte of a TLS record carrying a handshake (a ClientHello). */
const TLS_HANDSHAKE = 0x16;

/** One listening port serving `web`; with TLS, plain-HTTP requests get `redirect`'s answer. */
export class WebListener {
  private readonly front: net.Server;
  private readonly redirect: http.Server | undefined;

  constructor(
    private readonly web: http.Server | https.Server,
    tls: boolean,
    private readonly firstByteMs: number,
  ) {
    if (!tls) {
      this.front = web;
      return;
    }
    const redirect = redirectServer(firstByteMs);
    this.redirect = redirect;
    this.front = net.createServer({ pauseOnConnect: true }, (socket) => {
      this.route(socket, web, redirect);
    });
  }

  /** Listens; resolves with the port (the one chosen when `port` is 0). */
  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.front.once('error', reject);
      this.front.listen(port, host, () => {
        this.front.off('error', reject);
        if (this.front !== this.web) {
          // NOTE: an http.Server starts checking its connections' header timeouts on its own 'listening'
          // event; these two never listen themselves (the front hands them connections), so they are told.
          this.web.emit('listening');
          this.redirect?.emit('listening');
        }
        const addr = this.front.address();
        resolve(typeof addr === 'object' && addr ? addr.port : port);
      });
    });
  }

  /** Stops listening and ends every connection. */
  close(): void {
    this.front.close();
    this.web.close();
    this.web.closeAllConnections();
    this.redirect?.close();
    this.redirect?.closeAllConnections();
  }

  /** Reads the first byte, puts it back, and gives the connection to the HTTPS server or the redirect. */
  private route(socket: net.Socket, web: net.Server, redirect: net.Server): void {
    const drop = () => socket.destroy();
    socket.on('error', drop);
    // A connection that never says anything is closed like one that never sends its headers.
    socket.setTimeout(this.firstByteMs, drop);
    socket.once('readable', () => {
      const first = socket.read(1) as Buffer | null;
      socket.off('error', drop);
      socket.setTimeout(0);
      socket.off('timeout', drop);
      if (first === null) {
        socket.destroy();
        return;
      }
      socket.unshift(first);
      (first[0] === TLS_HANDSHAKE ? web : redirect).emit('connection', socket);
    });
    socket.resume();
  }
}

/** Answers every plain-HTTP request with a 308 to the same path over https on the host the client asked for. */
function redirectServer(headersMs: number): http.Server {
  const server = http.createServer({ headersTimeout: headersMs, requestTimeout: headersMs }, (req, res) => {
    const host = req.headers.host ?? '';
    const target = URL.canParse(`https://${host}`) ? new URL(`https://${host}`) : undefined;
    const url = req.url ?? '/';
    // Only a bare host[:port] (no path or credentials smuggled into Host) and a path-only target.
    if (target?.host !== host.toLowerCase() || target.pathname !== '/' || !url.startsWith('/')) {
      res.writeHead(400, { 'content-type': 'text/plain', connection: 'close' });
      res.end('This is an HTTPS port: use https://.\n');
      return;
    }
    res.writeHead(308, { location: `https://${host}${url}`, connection: 'close', 'content-length': '0' });
    res.end();
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  return server;
}
