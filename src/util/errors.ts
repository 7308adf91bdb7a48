/**
 * Base of every error disk2iso throws on purpose. `context` carries the facts a reader of the
 * log needs (device, path, option…); `cause` keeps the original error.
 */
export class Disk2isoError extends Error {
  readonly context: Readonly<Record<string, unknown>>;

  constructor(message: string, options: { cause?: unknown; context?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.context = options.context ?? {};
  }
}

export function isDisk2isoError(value: unknown): value is Disk2isoError {
  return value instanceof Disk2isoError;
}

/** The message of anything thrown, for logs and JSON fields. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** The errno code (`ENOENT`, `EIO`…) of a Node system error, if any. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const { code } = error;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
