// The image test's agent inside the guest, unconfined (it plays Docker and the Supervisor, not
// the add-on). Plain ESM for the image's own node: the guest has no build step.
//   - 127.0.0.1:80 (`http://supervisor`): a stand-in of the Supervisor's API as the add-on uses it,
//     `GET /services/mqtt` and `GET /addons/self/info`, checking the bearer token.
//   - 0.0.0.0:8090 (forwarded to the host): the rig's control: start the container, signal its
//     init or one of its processes, report its exit, the kernel's AppArmor lines, file digests,
//     and run the image's HEALTHCHECK inside the container as `docker exec` would.
import { spawn, execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:http';

const rig = JSON.parse(await readFile('/rig/rig.json', 'utf8'));
const consoleLine = (text) => process.stdout.write(`RIG: ${text}\n`);

/** @type {{pid: number|null, startedAt: number|null, exitedAt: number|null, exitCode: number|null, signal: string|null, starts: number}} */
const container = { pid: null, startedAt: null, exitedAt: null, exitCode: null, signal: null, starts: 0 };

/**
 * Starts the container's entry as Docker does for the add-on: its own PID and mount namespaces
 * (the entry is PID 1 with its own /proc), Docker's default capability set, the environment the
 * Supervisor passes, and the AppArmor profile attached on exec (runc writes the profile to
 * /proc/self/attr/apparmor/exec before exec, as aa-exec does).
 */
function startContainer() {
  if (container.pid !== null && container.exitedAt === null) throw new Error('container already running');
  const args = [
    '--pid', '--fork', '--mount', '--mount-proc', '--kill-child',
    '--',
    'setpriv', `--bounding-set=-all,${rig.capabilities.map((c) => `+${c}`).join(',')}`,
    '--',
    'env', '-i', ...Object.entries(rig.environment).map(([k, v]) => `${k}=${v}`),
    'aa-exec', '-p', rig.profile, '--', '/init',
  ];
  // Docker hands a container without a terminal pipes for its output (and no input).
  const child = spawn('unshare', args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: '/' });
  child.stdout.pipe(process.stdout, { end: false });
  child.stderr.pipe(process.stderr, { end: false });
  Object.assign(container, { pid: child.pid ?? null, startedAt: Date.now(), exitedAt: null, exitCode: null, signal: null });
  container.starts += 1;
  consoleLine(`container started pid=${child.pid}`);
  child.on('exit', (code, signal) => {
    Object.assign(container, { exitedAt: Date.now(), exitCode: code, signal });
    consoleLine(`container exited code=${code} signal=${signal}`);
  });
}

/** Host PIDs of processes whose command line contains `needle` (node argv joined by spaces). */
async function pidsOf(needle) {
  const pids = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.split('\0').join(' ').includes(needle) && Number(entry) !== process.pid) pids.push(Number(entry));
  }
  return pids;
}

/** The container's init: the child of unshare (unshare --fork keeps waiting for it). */
async function initPid() {
  if (container.pid === null || container.exitedAt !== null) return null;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    // unshare forks the init (setpriv, env and aa-exec exec into sh running /init).
    if (ppid === container.pid && comm !== 'unshare') return Number(entry);
  }
  return null;
}

function run(file, args) {
  return new Promise((resolve) => {
    execFile(file, args, { maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

async function sha256(path) {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk);
  return hash.digest('hex');
}

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** The Supervisor's envelope; only the token the add-on was given is accepted. */
const supervisor = createServer((req, res) => {
  const authorised = req.headers.authorization === `Bearer ${rig.environment.SUPERVISOR_TOKEN}`;
  consoleLine(`supervisor ${req.method} ${req.url} ${authorised ? 'authorised' : 'REFUSED'}`);
  if (!authorised) return send(res, 401, { result: 'error', message: 'Unauthorized' });
  if (req.method === 'GET' && req.url === '/services/mqtt') return send(res, 200, { result: 'ok', data: rig.mqttService });
  if (req.method === 'GET' && req.url === '/addons/self/info') return send(res, 200, { result: 'ok', data: rig.selfInfo });
  return send(res, 404, { result: 'error', message: `no ${req.url} in the stand-in` });
});

const control = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://rig');
  try {
    if (url.pathname === '/container' && req.method === 'GET') {
      return send(res, 200, { ...container, init: await initPid() });
    }
    if (url.pathname === '/container/start' && req.method === 'POST') {
      startContainer();
      return send(res, 200, container);
    }
    if (url.pathname === '/container/signal' && req.method === 'POST') {
      const pid = await initPid();
      if (pid === null) return send(res, 409, { error: 'container not running' });
      process.kill(pid, url.searchParams.get('signal') ?? 'SIGTERM');
      return send(res, 200, { pid });
    }
    if (url.pathname === '/process/signal' && req.method === 'POST') {
      const pids = await pidsOf(url.searchParams.get('cmdline') ?? '\0');
      for (const pid of pids) process.kill(pid, url.searchParams.get('signal') ?? 'SIGTERM');
      return send(res, 200, { pids });
    }
    if (url.pathname === '/process' && req.method === 'GET') {
      return send(res, 200, { pids: await pidsOf(url.searchParams.get('cmdline') ?? '\0') });
    }
    if (url.pathname === '/kernel-log' && req.method === 'GET') {
      const { stdout } = await run('dmesg', []);
      return send(res, 200, { lines: stdout.split('\n').filter(Boolean) });
    }
    if (url.pathname === '/sha256' && req.method === 'GET') {
      return send(res, 200, { sha256: await sha256(url.searchParams.get('path') ?? '') });
    }
    if (url.pathname === '/ls' && req.method === 'GET') {
      const entries = await readdir(url.searchParams.get('path') ?? '/', { recursive: true }).catch(() => []);
      return send(res, 200, { entries });
    }
    if (url.pathname === '/healthcheck' && req.method === 'POST') {
      // `docker exec`: inside the container's namespaces, under its profile and capabilities.
      const pid = await initPid();
      if (pid === null) return send(res, 409, { error: 'container not running' });
      const result = await run('nsenter', [
        '-t', String(pid), '-p', '-m', '--',
        'setpriv', `--bounding-set=-all,${rig.capabilities.map((c) => `+${c}`).join(',')}`, '--',
        'aa-exec', '-p', rig.profile, '--', '/bin/sh', '-c', url.searchParams.get('command') ?? 'false',
      ]);
      return send(res, 200, result);
    }
    return send(res, 404, { error: `no ${req.method} ${url.pathname}` });
  } catch (error) {
    return send(res, 500, { error: String(error) });
  }
});

supervisor.listen(80, '127.0.0.1');
control.listen(8090, '0.0.0.0', () => {
  consoleLine('agent listening');
  if (rig.startContainer) startContainer();
});
