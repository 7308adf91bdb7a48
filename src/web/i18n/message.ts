import { messages, type Lang } from './index.js';
import { wordMessage, type ContractMessage } from './message-words.js';

/** The core's message in `lang` (the words of `msg_<code>`, else its English text); the browser words its live updates alike. */
export function messageText(lang: Lang, message: ContractMessage): string {
  return wordMessage(messages(lang), lang, message);
}
