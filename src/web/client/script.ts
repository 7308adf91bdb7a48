import { SCRIPT_CORE } from './script-core.js';
import { SCRIPT_DASHBOARD } from './script-dashboard.js';
import { SCRIPT_LIVE } from './script-live.js';
import { SCRIPT_PAGES } from './script-pages.js';
import { SCRIPT_POLICY } from './script-policy.js';

/**
 * The page script, served as /app.js: plain ES2017 in one strict IIFE, assembled from its parts
 * (no bundler, no build step). It runs on every page; page-specific parts check `PAGE`.
 */
export const CLIENT_SCRIPT = `(function () {\n'use strict';\n${SCRIPT_CORE}\n${SCRIPT_POLICY}\n${SCRIPT_DASHBOARD}\n${SCRIPT_PAGES}\n${SCRIPT_LIVE}\n})();\n`;
