import { Disk2isoError } from '../util/errors.js';

/** The web server could not start (port in use, bad bind address). */
export class WebServerError extends Disk2isoError {}

/** An archive path from a request that is not a file we may touch. */
export class ArchivePathError extends Disk2isoError {
  constructor(
    message: string,
    readonly status: 400 | 403 | 404,
    requested: string,
  ) {
    super(message, { context: { requested } });
  }
}
