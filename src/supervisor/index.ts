/** Client of the Home Assistant Supervisor API (services/mqtt, addons/self/info). */
export { SupervisorClient, type SupervisorClientOptions, type SupervisorFailure, type SupervisorResult } from './client.js';
export { type MqttServiceInfo, type SelfInfo } from './schema.js';
