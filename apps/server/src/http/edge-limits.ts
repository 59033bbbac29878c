// How long and how much the HTTP edge waits for and takes from a client, in one place. The timeouts can be
// changed in the configuration (VIRTWEB_*_TIMEOUT); the tests use small values.

/** How long the server waits for a client before it answers 408 and closes the connection. */
export interface EdgeTimeouts {
  /** The request line and headers must arrive within this time (Node's `headersTimeout`). */
  headersMs: number;
  /** A JSON body must arrive whole within this time after its headers (a total deadline). */
  bodyMs: number;
  /** An image upload may go this long without a byte (an idle timeout: uploads of any size and length work). */
  uploadIdleMs: number;
}

export const DEFAULT_EDGE_TIMEOUTS: EdgeTimeouts = {
  headersMs: 15_000,
  bodyMs: 15_000,
  uploadIdleMs: 60_000,
};

/** The login body (`{password}`): read before authentication, so it is tiny. */
export const SESSION_BODY_LIMIT = 1024;
/** Every other JSON body (the incoming migration has its own, larger limit). */
export const JSON_BODY_LIMIT = 64 * 1024;
