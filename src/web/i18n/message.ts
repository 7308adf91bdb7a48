import { fillTemplate, isBytesParam, type MessageParams } from '../../contract/index.js';
import { fmtBytes } from '../format.js';
import { messages, type Lang } from './index.js';

/** A message of the core as the contract carries it: code and parameters (absent in older files), and its English text. */
export interface ContractMessage {
  readonly code?: string | undefined;
  readonly params?: MessageParams | undefined;
  readonly text: string;
}

/** Parameters holding an enum value of the contract, shown by the UI key `<name>_<value>`. */
const WORDED_PARAMS = new Set(['state', 'action', 'reason']);

/**
 * The message in `lang`: the words of `msg_<code>` with its parameters formatted (byte counts as
 * sizes, states/actions/reasons in words); the English text when the code is unknown to this UI
 * (a newer core) or absent (an older one). The browser script does the same (`msgText`).
 */
export function messageText(lang: Lang, message: ContractMessage): string {
  const catalog: Readonly<Record<string, string>> = messages(lang);
  const template = message.code === undefined ? undefined : catalog[`msg_${message.code}`];
  if (template === undefined) return message.text;
  return fillTemplate(template, message.params ?? {}, (name, value) => {
    if (isBytesParam(name) && typeof value === 'number') return fmtBytes(value, lang);
    if (WORDED_PARAMS.has(name)) return catalog[`${name}_${value}`] ?? String(value);
    return String(value);
  });
}
