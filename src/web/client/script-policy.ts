/**
 * The command policy in the browser: the table `commandTable()` (src/contract) computed on the
 * server and embedded in the dashboard as `#command-policy`, looked up by the drive's status.
 * No list of states here: a control is enabled exactly when the core would accept its command.
 */
export const SCRIPT_POLICY = String.raw`
var POLICY = {};
try { POLICY = JSON.parse(($('#command-policy') || {}).textContent || '{}'); } catch (e) { POLICY = {}; }
var NONE = { allowed: [], confirm: [] };
function policyOf(s) {
  if (!s) return NONE;
  return POLICY[s.state + '|' + (s.job_id !== null ? 'job' : 'nojob') + '|' + (s.drive.present ? 'drive' : 'nodrive')] || NONE;
}
function allows(s, action) { return policyOf(s).allowed.indexOf(action) >= 0; }
function asksFirst(s, action) { return policyOf(s).confirm.indexOf(action) >= 0; }
`;
