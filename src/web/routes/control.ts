import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { coded, ControlCommandSchema, refused, type ControlApi, type ControlResult } from '../../contract/index.js';
import type { Logger } from '../../log/index.js';
import type { WebEnv } from '../types.js';
import { readJsonBody } from './body.js';

/** The reply body: `message` (accepted) or `error` in English, and always the message's code and parameters. */
function replyBody(result: ControlResult) {
  return result.ok
    ? { ok: true, message: result.message, code: result.code, params: result.params }
    : { ok: false, error: result.error, code: result.code, params: result.params };
}

/**
 * `POST api/drives/:id/command`: the control API used by this UI and the MQTT bridge. The CSRF
 * guard in front of it already required the control header.
 */
export function controlRoutes(control: ControlApi, logger: Logger): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  app.post(
    '/api/drives/:id/command',
    bodyLimit({ maxSize: 16 * 1024, onError: (c) => c.json(replyBody(refused(500, coded('cmd_body_too_large'))), 413) }),
    async (c) => {
      const id = c.req.param('id');
      if (!control.driveIds().includes(id)) return c.json(replyBody(refused(404, coded('cmd_unknown_drive', { drive: id }))), 404);
      const body = await readJsonBody(c, ControlCommandSchema);
      if (!body.ok) return c.json(replyBody(refused(409, coded('cmd_bad_request', { error: body.error }))), 400);
      const result = await control.execute(id, body.value);
      logger.info({ drive: id, command: body.value, ok: result.ok, code: result.code }, 'control command');
      return c.json(replyBody(result), result.ok ? 200 : result.status);
    },
  );
  return app;
}
