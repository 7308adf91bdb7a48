/** Decrypted DVD-Video backup (dvdbackup + genisoimage -dvd-video). */
export { runDvdVideoBackup, type DvdVideoRequest } from './backup.js';
/** libdvdcss presence (cached file lookup, or the library and its version) and the method name recorded for a backup. */
export { libdvdcssAvailable, dvdBackupMethod } from './libdvdcss.js';
