/** The real Linux optical drive (CD-ROM ioctls through koffi, the medium through the block device). */
export { LinuxDrive, type LinuxDriveOptions, type LinuxDriveTimeouts } from './drive.js';
export { LinuxDiscReader } from './reader.js';
export { OpLane, type LaneRunOptions } from './lane.js';
export { readSysfsIdentity, splitDevT, cleanInquiryString, type SysfsIdentity } from './sysfs.js';
export {
  driveStatusFromCode,
  discKindFromCode,
  errnoName,
  isGoneCode,
  systemErrorCode,
  parseTocHeader,
  parseTocEntry,
  tocEntryRequest,
  buildToc,
  type TocHeader,
  type TocEntry,
} from './decode.js';
export { ioctl, type IoctlResult } from './libc.js';
export * as cdrom from './constants.js';
