import type { MessageParams } from '../../contract/messages.js';
import { fillTemplate, isBytesParam } from '../../contract/template.js';
import { fmtBytes } from '../format.js';

/*
 * The wording of a core message in a UI language, shared by the server's pages (message.ts) and
 * the browser's live updates (src/web/browser/text.ts bundles this file: no zod, no Node).
 */

/** A message of the core as the contract carries it: code and parameters (absent in older files), and its English text. */
export interface ContractMessage {
  readonly code?: string | null | undefined;
  readonly params?: MessageParams | null | undefined;
  readonly text: string;
}

/** Parameters holding an enum value of the contract, shown by the UI key `<name>_<value>`. */
const WORDED_PARAMS = new Set(['state', 'action', 'reason']);

/**
 * The message in the words of `catalog` (a language's messages): `msg_<code>` with its
 * parameters formatted (byte counts as sizes in `lang`, states/actions/reasons in words); the
 * English text when the code is unknown to this UI (a newer core) or absent (an older one).
 */
export function wordMessage(catalog: Readonly<Record<string, string>>, lang: string, message: ContractMessage): string {
  const template = message.code === undefined || message.code === null ? undefined : catalog[`msg_${message.code}`];
  if (template === undefined) return message.text;
  return fillTemplate(template, message.params ?? {}, (name, value) => {
    if (isBytesParam(name) && typeof value === 'number') return fmtBytes(value, lang);
    if (WORDED_PARAMS.has(name)) return catalog[`${name}_${value}`] ?? String(value);
    return String(value);
  });
}
