/** A job an engine ran inside a guest (a snapshot, a copy) that ended in an error; `message` is the engine's. */
export class GuestJobError extends Error {
  override name = 'GuestJobError';
  constructor(
    readonly jobId: string,
    message: string,
  ) {
    super(message);
  }
}

/** The guest did not let go of an unplugged device in time; the engine may still remove it later. */
export class UnplugTimeoutError extends Error {
  override name = 'UnplugTimeoutError';
}
