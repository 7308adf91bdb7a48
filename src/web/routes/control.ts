import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ControlCommandSchema, type ControlApi } from '../../contract/index.js';
import type { Logger } from '../../log/index.js';
import type { WebEnv } from '../types.js';
import { readJsonBody } from './body.js';

/**
 * `POST api/drives/:id/command`: the control API used by this UI and the MQTT bridge. The CSRF
 * guard in front of it already required the control header.
 */
export function controlRoutes(control: ControlApi, logger: Logger): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  app.post(
    '/api/drives/:id/command',
    bodyLimit({ maxSize: 16 * 1024, onError: (c) => c.json({ ok: false, error: 'request body too large' }, 413) }),
    async (c) => {
      const id = c.req.param('id');
      if (!control.driveIds().includes(id)) return c.json({ ok: false, error: `unknown drive "${id}"` }, 404);
      const body = await readJsonBody(c, ControlCommandSchema);
      if (!body.ok) return c.json({ ok: false, error: body.error }, 400);
      const result = await control.execute(id, body.value);
      logger.info({ drive: id, command: body.value, ok: result.ok }, 'control command');
      if (result.ok) return c.json({ ok: true, message: result.message }, 200);
      return c.json({ ok: false, error: result.error }, result.status);
    },
  );
  return app;
}
