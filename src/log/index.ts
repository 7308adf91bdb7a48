/** pino loggers: JSON in the add-on, pretty in the demo; a ring buffer for the web UI. */
export { createLogger, namespaced, registerPretty, type Logger } from './logger.js';
export { LogBuffer } from './buffer.js';
export { createJobLogger } from './job-logger.js';
