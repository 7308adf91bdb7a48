import { requestJson } from '../util/http-json.js';
import { accepted, CONTROL_HEADER, commandPath, refused, type ControlCommand, type ControlResult } from './control.js';
import { coded, isMessageCode, MessageParamsSchema, type CodedMessage } from './messages.js';

/** The reply's code and parameters, or its text under the code `text` (a core without codes). */
function replyMessage(body: { message?: unknown; error?: unknown; code?: unknown; params?: unknown }, text: string): CodedMessage {
  const params = MessageParamsSchema.safeParse(body.params);
  if (isMessageCode(body.code) && params.success) return { code: body.code, params: params.data, text };
  return coded('text', { text });
}

/** HTTP client of the core's control API, for watcher processes such as the MQTT bridge. */
export class ControlClient {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 5000,
  ) {}

  async send(driveId: string, command: ControlCommand): Promise<ControlResult> {
    const url = new URL(commandPath(driveId), this.baseUrl.endsWith('/') ? this.baseUrl : `${this.baseUrl}/`);
    try {
      const response = await requestJson(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [CONTROL_HEADER]: '1' },
        body: JSON.stringify(command),
        timeoutMs: this.timeoutMs,
      });
      const body = (typeof response.body === 'object' && response.body !== null ? response.body : {}) as { message?: unknown; error?: unknown; code?: unknown; params?: unknown };
      if (response.status >= 200 && response.status < 300) {
        return accepted(replyMessage(body, typeof body.message === 'string' ? body.message : 'ok'));
      }
      const status = response.status === 404 || response.status === 409 ? response.status : 500;
      return refused(status, replyMessage(body, typeof body.error === 'string' ? body.error : `HTTP ${response.status}`));
    } catch (error) {
      return refused(500, coded('cmd_unreachable', { url: url.href, error: (error as Error).message }));
    }
  }
}
