/** The MQTT bridge (`disk2iso mqtt`): contract → Home Assistant discovery and state, MQTT → control API. */
export { startBridge, type StartBridgeOptions, type RunningBridge } from './start.js';
export { resolveBroker, describeBroker, parseBrokerAddress } from './broker.js';
export { buildDiscovery, buildDeviceDiscovery, buildHubDiscovery, removalPayload, nextIdentity, type DiscoveryInput } from './discovery.js';
export type * from './discovery-types.js';
export { DRIVE_ENTITIES } from './entities.js';
export { HUB_ENTITIES } from './hub-entities.js';
export { Topics } from './topics.js';
export { parseCommand } from './commands.js';
export { CursorStore } from './cursor.js';
export { TrailingThrottle } from './throttle.js';
export { coreAvailability, driveAvailability, reconcileState } from './availability.js';
export * as projection from './projection.js';
export type { Timers } from './timers.js';
