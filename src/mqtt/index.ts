/** The MQTT bridge (`disk2iso mqtt`): contract → Home Assistant discovery and state, MQTT → control API. */
export { startBridge, defaultBridgeSettings, type StartBridgeOptions, type RunningBridge } from './start.js';
export { Bridge, type BridgeSettings } from './bridge.js';
export { resolveBroker, describeBroker, parseBrokerAddress, type BrokerSettings, type BrokerOverride, type ProtocolVersion } from './broker.js';
export {
  buildDiscovery,
  buildDeviceDiscovery,
  buildHubDiscovery,
  buildComponent,
  removalPayload,
  deviceId,
  hubId,
  nextIdentity,
  type DiscoveryInput,
  type DriveDeviceInfo,
  type DriveIdentity,
} from './discovery.js';
export type * from './discovery-types.js';
export { DRIVE_ENTITIES, type EntityDescriptor } from './entities.js';
export { HUB_ENTITIES } from './hub-entities.js';
export { Topics, LEGACY_BASE, type TopicPayloads, type TopicKind } from './topics.js';
export { parseCommand, type ParsedCommand } from './commands.js';
export { eventMessages } from './event-messages.js';
export { CursorStore } from './cursor.js';
export { TrailingThrottle } from './throttle.js';
export { coreAvailability, driveAvailability, reconcileState } from './availability.js';
export * as projection from './projection.js';
export { PACKAGE } from '../util/version.js';
export type { Timers } from './timers.js';
