import { requestJson } from '../util/http-json.js';
import { CONTROL_HEADER, commandPath, type ControlCommand, type ControlResult } from './control.js';

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
      const body = (typeof response.body === 'object' && response.body !== null ? response.body : {}) as { message?: string; error?: string };
      if (response.status >= 200 && response.status < 300) return { ok: true, message: body.message ?? 'ok' };
      const status = response.status === 404 || response.status === 409 ? response.status : 500;
      return { ok: false, status, error: body.error ?? `HTTP ${response.status}` };
    } catch (error) {
      return { ok: false, status: 500, error: `control API unreachable at ${url.href}: ${(error as Error).message}` };
    }
  }
}
