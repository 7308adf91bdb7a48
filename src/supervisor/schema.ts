import { z } from 'zod';

/**
 * The Supervisor wraps every answer as `{result: 'ok', data}` or `{result: 'error', message}`.
 * https://developers.home-assistant.io/docs/api/supervisor/endpoints
 */
export const EnvelopeSchema = z.object({
  result: z.enum(['ok', 'error']),
  message: z.string().nullish(),
  data: z.unknown().optional(),
});

/** `GET /services/mqtt`: the broker an app (e.g. the Mosquitto add-on) provides. */
export const MqttServiceSchema = z.object({
  host: z.string().min(1),
  port: z.coerce.number().int().min(1).max(65_535),
  ssl: z.boolean().default(false),
  /** "3.1", "3.1.1" or "5" (the Supervisor passes what the providing app announced). */
  protocol: z.string().nullish(),
  username: z.string().nullish(),
  password: z.string().nullish(),
  addon: z.string().nullish(),
});
export type MqttServiceInfo = z.infer<typeof MqttServiceSchema>;

/** `GET /addons/self/info`: only the fields disk2iso uses; the rest is ignored. */
export const SelfInfoSchema = z.object({
  slug: z.string().min(1),
  name: z.string().nullish(),
  version: z.string().nullish(),
  ingress: z.boolean().nullish(),
  ingress_url: z.string().nullish(),
  ingress_entry: z.string().nullish(),
  ingress_panel: z.boolean().nullish(),
});
export type SelfInfo = z.infer<typeof SelfInfoSchema>;
