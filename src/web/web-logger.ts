import { namespaced, type Logger } from '../log/index.js';

/** The 'web' namespace, unless the caller already gave the logger one (pino would repeat the key). */
export function webLogger(logger: Logger): Logger {
  return 'ns' in logger.bindings() ? logger : namespaced(logger, 'web');
}
