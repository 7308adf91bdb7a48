import type { MessageParams } from './messages.js';

/*
 * Message templates, in a file with no runtime imports: the browser bundle fills the same
 * templates as the server (src/web/i18n/message-words.ts) without bringing zod along.
 */

/** Whether a parameter is a byte count (shown as "1.2 GiB"). */
export function isBytesParam(name: string): boolean {
  return name === 'bytes' || name.endsWith('_bytes');
}

/** Fills a template; `format` turns each parameter into its text (unknown names stay as they are). */
export function fillTemplate(template: string, params: MessageParams, format: (name: string, value: string | number) => string): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : format(name, value);
  });
}
