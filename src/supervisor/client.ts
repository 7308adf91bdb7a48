import { HttpTimeoutError, requestJson, type JsonResponse } from '../util/http-json.js';
import type { z } from 'zod';
import { errorMessage } from '../util/errors.js';
import { EnvelopeSchema, MqttServiceSchema, SelfInfoSchema, type MqttServiceInfo, type SelfInfo } from './schema.js';

const DEFAULT_SUPERVISOR_URL = 'http://supervisor';

/**
 * Why a Supervisor call gave no data. `not_available` is the documented HTTP 400 of
 * `/services/mqtt` when no app provides the service: a normal condition, not a fault.
 */
export type SupervisorFailure =
  | 'no_token'
  | 'not_available'
  | 'forbidden'
  | 'http_error'
  | 'unreachable'
  | 'timeout'
  | 'invalid_response';

export type SupervisorResult<T> =
  | { ok: true; data: T }
  | { ok: false; reason: SupervisorFailure; status: number | null; message: string };

export interface SupervisorClientOptions {
  /** Default: env SUPERVISOR_URL, else http://supervisor. */
  baseUrl?: string;
  /** Default: env SUPERVISOR_TOKEN. Without a token no request is made (not running under the Supervisor). */
  token?: string | undefined;
  timeoutMs?: number;
}

/** Client of the Home Assistant Supervisor API, for the two calls disk2iso needs. */
export class SupervisorClient {
  readonly baseUrl: string;
  readonly #token: string | undefined;
  readonly #timeoutMs: number;

  constructor(options: SupervisorClientOptions = {}) {
    this.baseUrl = options.baseUrl ?? process.env.SUPERVISOR_URL ?? DEFAULT_SUPERVISOR_URL;
    this.#token = 'token' in options ? options.token : process.env.SUPERVISOR_TOKEN;
    this.#timeoutMs = options.timeoutMs ?? 5000;
  }

  /** True when a token is present, i.e. the process probably runs as an add-on. */
  get hasToken(): boolean {
    return Boolean(this.#token);
  }

  /** The MQTT broker announced by an app (`GET /services/mqtt`). */
  mqttService(): Promise<SupervisorResult<MqttServiceInfo>> {
    return this.#get('services/mqtt', MqttServiceSchema);
  }

  /** This add-on's own info (`GET /addons/self/info`): slug and ingress URL. */
  selfInfo(): Promise<SupervisorResult<SelfInfo>> {
    return this.#get('addons/self/info', SelfInfoSchema);
  }

  async #get<S extends z.ZodType>(path: string, schema: S): Promise<SupervisorResult<z.infer<S>>> {
    if (!this.#token) {
      return { ok: false, reason: 'no_token', status: null, message: 'SUPERVISOR_TOKEN is not set (not running as an add-on)' };
    }
    const url = new URL(path, this.baseUrl.endsWith('/') ? this.baseUrl : `${this.baseUrl}/`);
    let response: JsonResponse;
    try {
      response = await requestJson(url, {
        headers: { authorization: `Bearer ${this.#token}`, accept: 'application/json' },
        timeoutMs: this.#timeoutMs,
      });
    } catch (error) {
      const timedOut = error instanceof HttpTimeoutError;
      return {
        ok: false,
        reason: timedOut ? 'timeout' : 'unreachable',
        status: null,
        message: timedOut
          ? `the Supervisor at ${url.href} did not answer within ${this.#timeoutMs} ms`
          : `the Supervisor at ${url.href} is unreachable: ${causeMessage(error)}`,
      };
    }
    const body = response.body ?? { result: 'error', message: 'not JSON' };
    const envelope = EnvelopeSchema.safeParse(body);
    const message = envelope.success ? (envelope.data.message ?? '') : '';
    if (response.status < 200 || response.status >= 300) {
      const reason: SupervisorFailure =
        response.status === 400 ? 'not_available' : response.status === 401 || response.status === 403 ? 'forbidden' : 'http_error';
      return { ok: false, reason, status: response.status, message: `GET ${url.pathname}: HTTP ${response.status}${message ? ` ${message}` : ''}` };
    }
    if (!envelope.success || envelope.data.result !== 'ok') {
      return { ok: false, reason: 'invalid_response', status: response.status, message: `GET ${url.pathname}: unexpected answer${message ? ` (${message})` : ''}` };
    }
    const data = schema.safeParse(envelope.data.data);
    if (!data.success) {
      return { ok: false, reason: 'invalid_response', status: response.status, message: `GET ${url.pathname}: unexpected data: ${data.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` };
    }
    return { ok: true, data: data.data as z.infer<S> };
  }
}

/** The socket error in words ("connect ECONNREFUSED …"), also when it is wrapped in `cause`. */
function causeMessage(error: unknown): string {
  if (error instanceof Error && error.cause !== undefined) return errorMessage(error.cause);
  return errorMessage(error);
}
