/** The /data/api contract: schemas, atomic writer, event log, reader, watcher, control API types. */
export * from './schema.js';
export * from './messages.js';
export { apiPaths, type ApiPaths } from './paths.js';
export { coreLiveness, CORE_LOCK_NAME, CORE_LOCK_REFRESH_MS, CORE_LOCK_FRESH_MS, type CoreLiveness } from './liveness.js';
export { writeFileAtomic, writeJsonAtomic } from './atomic-write.js';
export { readContractFile, readContractValue, LastGoodReader, type ContractLog } from './read.js';
export { EventLogWriter, readEventsAfter, parseEventLines } from './event-log.js';
export { EventLogTail } from './event-tail.js';
export { addHistoryEntry, countArchived, emptyHistory, salvageHistory } from './history.js';
export { ControlCommandSchema, accepted, refused, CONTROL_HEADER, type ControlApi, type ControlCommand, type ControlAction, type ControlResult } from './control.js';
export { ControlClient } from './control-client.js';
export { CONTROL_ACTIONS, commandVerdict, commandContextOf, allCommandContexts, type CommandContext } from './command-policy.js';
export { ContractWatcher, allDataFiles, type ContractChange, type DataFile, type DriveFile } from './contract-watcher.js';
