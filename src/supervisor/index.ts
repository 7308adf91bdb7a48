/** Client of the Home Assistant Supervisor API (services/mqtt, addons/self/info). */
export {
  SupervisorClient,
  DEFAULT_SUPERVISOR_URL,
  type SupervisorClientOptions,
  type SupervisorFailure,
  type SupervisorResult,
} from './client.js';
export { MqttServiceSchema, SelfInfoSchema, type MqttServiceInfo, type SelfInfo } from './schema.js';
