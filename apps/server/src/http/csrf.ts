import type { IncomingHttpHeaders } from 'node:http';

/** Methods that change nothing, so a cross-site one can do no harm (its answer is not readable cross-site). */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** The one route whose body is a file, not JSON (the browser's XHR upload and a peer's offline move). */
const UPLOAD_PATH = /^\/api\/images\/[^/]*\/upload\/?$/i;

/** What a cookie-authenticated request must look like to show it comes from this server's own page. */
export interface CsrfRequest {
  method: string;
  /** The path from `/api` on, e.g. `/api/vms/0123456789ab/start`. */
  path: string;
  headers: IncomingHttpHeaders;
}

/**
 * Why a state-changing request made with the session cookie may come from another site, or undefined when
 * it passes. A browser sends `Origin` with every such request (`Sec-Fetch-Site` where it leaves Origin out);
 * the content type is one a cross-site form cannot send, so such a request needs a CORS preflight, which
 * this server never grants.
 * NOTE: SameSite=Strict does not help here: another port of the same host is the same site.
 * `originRequired: false` is for logging in, which carries no cookie: a browser's cross-site login still sends
 * its Origin and is refused, while a script (curl) may log in without one.
 */
export function csrfRefusal(req: CsrfRequest, originRequired = true): string | undefined {
  if (SAFE_METHODS.has(req.method)) return undefined;
  const origin = req.headers.origin;
  if (origin !== undefined) {
    if (!sameHost(origin, req.headers.host)) return `cross-origin request refused (Origin ${origin})`;
  } else if (originRequired && req.headers['sec-fetch-site'] !== 'same-origin') {
    return 'a request with the session cookie needs an Origin header (or Sec-Fetch-Site: same-origin)';
  }
  const wanted =
    req.method === 'PUT' && UPLOAD_PATH.test(req.path) ? 'application/octet-stream' : 'application/json';
  const type = mediaType(req.headers['content-type']);
  if (type !== wanted)
    return `a request with the session cookie needs Content-Type: ${wanted} (got ${type || 'none'})`;
  return undefined;
}

/** True when `origin` (an Origin header) names the host (and port) of the Host header. */
export function sameHost(origin: string, host: string | undefined): boolean {
  try {
    return host !== undefined && new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}

/** `application/json; charset=utf-8` → `application/json`. */
function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}
