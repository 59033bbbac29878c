// The errors services throw: what went wrong in the domain's words, never a transport's status. The HTTP
// error handler (httpErrorOf) and the websocket upgrade (closeOf) each turn them into an answer in one place.
import { ErrorCode } from '@virtweb/protocol';
import type { z } from 'zod';

/** A field a refusal is about (`disks.1.image`) and what is wrong with it, as the UI shows it next to the field. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** Every kind of domain error; each answer layer maps every kind (a `Record` over this type). */
export type DomainErrorKind =
  | 'notFound'
  | 'conflict'
  | 'invalid'
  | 'forbidden'
  | 'tooLarge'
  | 'noSpace'
  | 'throttled'
  | 'unavailable'
  | 'peerRefused'
  | 'hostFault';

/**
 * A refusal or failure a caller is told about: its kind, a machine-readable `code` (ErrorCode or a code of
 * the operation's own, e.g. `busy`), a message for people and, optionally, the fields it concerns.
 */
export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;

  constructor(
    readonly code: string,
    message: string,
    readonly details?: FieldIssue[],
  ) {
    super(message);
  }

  /**
   * The same refusal (kind, code and the rest) in other words, e.g. naming the field it concerns. A kind
   * whose constructor takes other arguments than (code, message, details) overrides this.
   */
  rephrased(message: string, details?: FieldIssue[]): DomainError {
    const kind = this.constructor as new (
      code: string,
      message: string,
      details?: FieldIssue[],
    ) => DomainError;
    return new kind(this.code, message, details);
  }
}

/** Something named does not exist: a VM, an image, a snapshot, a job. */
export class NotFound extends DomainError {
  override name = 'NotFound';
  readonly kind = 'notFound';
  /** `what`: "VM 0123456789ab"; the message is "<what> not found" unless given. */
  constructor(what: string, message = `${what} not found`, details?: FieldIssue[]) {
    super(ErrorCode.notFound, message, details);
  }
  override rephrased(message: string, details?: FieldIssue[]): NotFound {
    return new NotFound('', message, details);
  }
}

/**
 * The request is fine but clashes with how things are: the state (`wrong_state`), another operation
 * (`busy`), a name taken (`already_exists`), an image in use (`in_use`), qemu refusing (`qemu_failed`).
 */
export class Conflict extends DomainError {
  override name = 'Conflict';
  readonly kind = 'conflict';
}

/** The request cannot work as asked: a field's value (`validation_failed`), or qemu-img's refusal of it. */
export class Invalid extends DomainError {
  override name = 'Invalid';
  readonly kind = 'invalid';
  constructor(message: string, details?: FieldIssue[], code: string = ErrorCode.validation) {
    super(code, message, details);
  }
  override rephrased(message: string, details?: FieldIssue[]): Invalid {
    return new Invalid(message, details, this.code);
  }
}

/** The caller may not do this (`forbidden`: its credential's scope, or a peer's refusal of ours). */
export class Forbidden extends DomainError {
  override name = 'Forbidden';
  readonly kind = 'forbidden';
}

/** More than this server takes (`too_large`: an upload over the configured limit). */
export class TooLarge extends DomainError {
  override name = 'TooLarge';
  readonly kind = 'tooLarge';
}

/** The file system has no room for it. */
export class NoSpace extends DomainError {
  override name = 'NoSpace';
  readonly kind = 'noSpace';
}

/** Too much is already queued: the caller must wait until it is done (e.g. text still being typed). */
export class Throttled extends DomainError {
  override name = 'Throttled';
  readonly kind = 'throttled';
}

/** Another server this one relies on (a peer) could not be reached or did not answer as a virtweb server. */
export class Unavailable extends DomainError {
  override name = 'Unavailable';
  readonly kind = 'unavailable';
}

/**
 * A peer refused a call made for the caller: its answer's status (a 4xx), code and message, relayed as they
 * are (the peer's own refusal, which this server neither judges nor rewords).
 */
export class PeerRefused extends DomainError {
  override name = 'PeerRefused';
  readonly kind = 'peerRefused';
  constructor(
    readonly peerStatus: number,
    code: string,
    message: string,
    details?: FieldIssue[],
  ) {
    super(code, message, details);
  }
  override rephrased(message: string, details?: FieldIssue[]): PeerRefused {
    return new PeerRefused(this.peerStatus, this.code, message, details);
  }
}

/**
 * This host cannot do it: a program the server needs does not run at all. Never for what a client chose
 * (a file, a name, a size): those are refusals of their own kinds.
 */
export class HostFault extends DomainError {
  override name = 'HostFault';
  readonly kind = 'hostFault';
}

/** A request's fields that a schema refused, one issue per field, as one `Invalid`. */
export function invalidFields(error: z.ZodError): Invalid {
  const details = error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  const summary = details.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message)).join('; ');
  return new Invalid(`invalid request: ${summary}`, details);
}
