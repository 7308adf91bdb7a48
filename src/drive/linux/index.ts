/** The real Linux optical drive (CD-ROM ioctls through koffi, the medium through the block device). */
export { LinuxDrive } from './drive.js';
export { LinuxDiscReader } from './reader.js';
export { OpLane } from './lane.js';
export { readSysfsIdentity, splitDevT, cleanInquiryString } from './sysfs.js';
export { driveStatusFromCode, discKindFromCode, errnoName, isGoneCode, systemErrorCode, parseTocHeader, parseTocEntry, tocEntryRequest, buildToc } from './decode.js';
export { ioctl } from './libc.js';
export * as cdrom from './constants.js';
