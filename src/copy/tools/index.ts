/** Copies made by external tools (DVD-Video backup, audio rip): the pieces they share. */
/** A label as an ISO 9660 volume id (d-characters, ≤ 32). */
export { isoVolumeId } from './iso-label.js';
/** Progress of tool-based copies: the data copy's sample plus `encoding` and the audio track. */
export { progressEmitter, type MediaProgressSample } from './progress.js';
/** Runs an external tool under a copy's guard (cancel, stall, disk full, missing tool). */
export { runTool } from './tool.js';
/** Work paths, their removal, and the result frame of a tool-based copy. */
export { MediaJob, mediaWorkPaths, discardMediaWork } from './job.js';
/** genisoimage image building and xorriso comparison. */
/** The publishing tail of methods that build a folder: ISO, verify, hash, rename, sidecars, cleanup. */
export { publishFolder } from './publish.js';
/** Files of a folder and their sizes. */
export { listFiles, treeBytes, fileBytes } from './tree.js';
/** The external tools and libdvdcss: what each is, its package, and the start-up probe. */
export { probeTools, hasTool, notInstalled, packageOf, inventoryOf, versionLine, TOOL_NAMES, type ToolInventory, type ToolName } from './inventory.js';
