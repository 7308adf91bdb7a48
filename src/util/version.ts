import { PACKAGE } from './package-info.js';

/** The package version (package.json, read once). */
export const VERSION: string = PACKAGE.version;
export { PACKAGE };
