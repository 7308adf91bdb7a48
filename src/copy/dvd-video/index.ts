/** Decrypted DVD-Video backup (dvdbackup + genisoimage -dvd-video). */
export { runDvdVideoBackup, type DvdVideoRequest } from './backup.js';
/** libdvdcss presence (cached file lookup) and the method name recorded for a backup. */
export { libdvdcssAvailable, dvdBackupMethod, LIBRARY_DIRS } from './libdvdcss.js';
