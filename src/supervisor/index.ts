/** Client of the Home Assistant Supervisor API (services/mqtt, addons/self/info). */
export { SupervisorClient } from './client.js';
