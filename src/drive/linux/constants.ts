/**
 * Linux CD-ROM and block-device ioctl numbers and result codes (include/uapi/linux/cdrom.h,
 * include/uapi/linux/fs.h). They are the same on amd64 and aarch64.
 */

export const CDROMEJECT = 0x5309;
export const CDROMCLOSETRAY = 0x5319;
export const CDROMREADTOCHDR = 0x5305;
export const CDROMREADTOCENTRY = 0x5306;
export const CDROM_MEDIA_CHANGED = 0x5325;
export const CDROM_DRIVE_STATUS = 0x5326;
export const CDROM_DISC_STATUS = 0x5327;
export const CDROM_LOCKDOOR = 0x5329;
/** `_IOR(0x12, 114, size_t)`: size of a block device in bytes (u64). */
export const BLKGETSIZE64 = 0x80081272;

/** Slot argument of CDROM_DRIVE_STATUS meaning "the drive itself" (INT_MAX). */
export const CDSL_CURRENT = 0x7fffffff;

/** CDROM_DRIVE_STATUS results. */
export const CDS_NO_INFO = 0;
export const CDS_NO_DISC = 1;
export const CDS_TRAY_OPEN = 2;
export const CDS_DRIVE_NOT_READY = 3;
export const CDS_DISC_OK = 4;

/** CDROM_DISC_STATUS results. */
export const CDS_AUDIO = 100;
export const CDS_DATA_1 = 101;
export const CDS_DATA_2 = 102;
export const CDS_XA_2_1 = 103;
export const CDS_XA_2_2 = 104;
export const CDS_MIXED = 105;

/** `cdte_format` asking for logical block addresses. */
export const CDROM_LBA = 0x01;
/** Track number of the lead-out in CDROMREADTOCENTRY. */
export const CDROM_LEADOUT = 0xaa;
/** Bit of `cdte_ctrl` set on data tracks. */
export const CDROM_DATA_TRACK = 0x04;

/** sizeof(struct cdrom_tochdr) and sizeof(struct cdrom_tocentry) (u8 fields plus an int union, 4-aligned). */
export const TOCHDR_SIZE = 2;
export const TOCENTRY_SIZE = 12;
