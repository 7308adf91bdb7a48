import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { freePort } from '../../helpers/process.js';
import { QmpClient } from './qmp.js';

/** The emulated CD drive at boot: SCSI (virtio-scsi, so it can be hot-unplugged) unless `bus` says IDE. */
export interface CdromAtBoot {
  /** Image in the drive at boot; null: an empty drive (tray closed, no medium). */
  readonly image: string | null;
  /** Read throttle of the drive in bytes per second (0: none). */
  readonly bpsRead?: number;
  /** `scsi` (default): scsi-cd on virtio-scsi; `ide`: ide-cd on the PIIX IDE controller. */
  readonly bus?: 'scsi' | 'ide';
}

/** A virtio block disk (the guest's /dev/vda, /dev/vdb, … in this order). */
export interface VirtioDisk {
  readonly file: string;
  /** Writes go to a temporary overlay and the file stays as it was. */
  readonly snapshot?: boolean;
}

export interface VmOptions {
  readonly name: string;
  readonly workDir: string;
  readonly kernel: string;
  readonly initrd: string;
  /** null: no CD drive at all (a SCSI controller without devices). */
  readonly cdrom: CdromAtBoot | null;
  /** Guest TCP ports the host may reach (forwarded from 127.0.0.1). */
  readonly guestPorts: readonly number[];
  readonly memoryMb?: number;
  readonly cpus?: number;
  /** Kernel command line added to the rig's own. */
  readonly append?: string;
  readonly disks?: readonly VirtioDisk[];
  /** Options of the user-mode network (e.g. `net=…,host=…` to give the guest another subnet). */
  readonly network?: string;
}

/** The qdev id of the emulated drive and the SCSI bus it sits on. */
export const CDROM_ID = 'cdrom0';
export const SCSI_BUS = 'scsi0.0';

/**
 * Linux under qemu-system-x86_64 with TCG (KVM hangs on these machines): a virtio-scsi CD drive
 * driven through QMP, user-mode networking with forwarded ports, the serial console captured.
 */
export class Vm {
  #console = '';
  readonly #log: WriteStream;
  readonly #waiters = new Set<() => void>();
  #exited = false;

  private constructor(
    readonly options: VmOptions,
    private readonly process: ResultPromise,
    readonly qmp: QmpClient,
    readonly ports: ReadonlyMap<number, number>,
    log: WriteStream,
  ) {
    this.#log = log;
    process.stdout?.on('data', (chunk: Buffer) => this.#onConsole(chunk.toString('utf8')));
    process.stderr?.on('data', (chunk: Buffer) => this.#onConsole(`[qemu] ${chunk.toString('utf8')}`));
    void process.then(
      () => this.#onExit(),
      () => this.#onExit(),
    );
  }

  static async start(options: VmOptions): Promise<Vm> {
    await mkdir(options.workDir, { recursive: true });
    const qmpPath = join(options.workDir, 'qmp.sock');
    await rm(qmpPath, { force: true });
    const ports = new Map<number, number>();
    for (const guest of options.guestPorts) ports.set(guest, await freePort());
    const forwards = [...ports].map(([guest, host]) => `hostfwd=tcp:127.0.0.1:${host}-:${guest}`).join(',');
    const args = [
      '-accel', 'tcg',
      '-cpu', 'max',
      '-smp', String(options.cpus ?? 2),
      '-m', String(options.memoryMb ?? 1536),
      '-nodefaults', '-display', 'none', '-no-reboot',
      '-serial', 'stdio',
      '-kernel', options.kernel,
      '-initrd', options.initrd,
      '-append', ['console=ttyS0 panic=-1 loglevel=4', options.append].filter(Boolean).join(' '),
      '-qmp', `unix:${qmpPath},server=on,wait=off`,
      '-device', 'virtio-scsi-pci,id=scsi0',
      '-netdev', ['user,id=n0,restrict=on', options.network, forwards].filter(Boolean).join(','),
      '-device', 'virtio-net-pci,netdev=n0,romfile=',
    ];
    if (options.cdrom !== null) {
      const drive = ['if=none', 'id=cd0', 'media=cdrom', 'readonly=on'];
      if (options.cdrom.image !== null) drive.push('format=raw', `file=${options.cdrom.image}`);
      if (options.cdrom.bpsRead) drive.push(`throttling.bps-read=${options.cdrom.bpsRead}`);
      const device = options.cdrom.bus === 'ide' ? `ide-cd,drive=cd0,id=${CDROM_ID},bus=ide.1` : `scsi-cd,drive=cd0,id=${CDROM_ID},bus=${SCSI_BUS}`;
      args.push('-drive', drive.join(','), '-device', device);
    }
    for (const disk of options.disks ?? []) {
      args.push('-drive', ['if=virtio', 'format=raw', `file=${disk.file}`, ...(disk.snapshot ? ['snapshot=on'] : [])].join(','));
    }
    const log = createWriteStream(join(options.workDir, 'console.log'));
    const child = execa('qemu-system-x86_64', args, { stdin: 'pipe', buffer: false, reject: false });
    let early = '';
    let earlyConsole = '';
    const collect = (chunk: Buffer) => (early += chunk.toString('utf8'));
    const collectConsole = (chunk: Buffer) => (earlyConsole += chunk.toString('utf8'));
    child.stderr?.on('data', collect);
    child.stdout?.on('data', collectConsole);
    let qmp: QmpClient;
    try {
      qmp = await QmpClient.connect(qmpPath);
    } catch (error) {
      child.kill('SIGKILL');
      log.end();
      throw new Error(`QEMU did not come up (${String(error)}): ${early.slice(-2000)}`, { cause: error });
    }
    child.stderr?.off('data', collect);
    child.stdout?.off('data', collectConsole);
    const vm = new Vm(options, child, qmp, ports, log);
    vm.#onConsole(`${earlyConsole}${early === '' ? '' : `[qemu] ${early}`}`);
    return vm;
  }

  #onConsole(text: string): void {
    this.#console += text;
    this.#log.write(text);
    for (const wake of this.#waiters) wake();
  }

  #onExit(): void {
    this.#exited = true;
    for (const wake of this.#waiters) wake();
  }

  get console(): string {
    return this.#console;
  }

  get exited(): boolean {
    return this.#exited;
  }

  /** The console text from `from` (an offset into `console`) on. */
  consoleSince(from: number): string {
    return this.#console.slice(from);
  }

  /** Waits for `pattern` on the serial console (searching from offset `from`). */
  waitForConsole(pattern: RegExp, timeoutMs = 120_000, from = 0): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const match = this.#console.slice(from).match(pattern);
        if (match) {
          done();
          resolve(match);
          return true;
        }
        if (this.#exited) {
          done();
          reject(new Error(`VM ${this.options.name} exited before ${String(pattern)}; console tail:\n${this.#console.slice(-3000)}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${String(pattern)} on the console of ${this.options.name} within ${timeoutMs} ms; tail:\n${this.#console.slice(-3000)}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(wake);
      };
      const wake = () => void check();
      if (!check()) this.#waiters.add(wake);
    });
  }

  /** http://127.0.0.1:<forwarded port> of a guest port. */
  url(guestPort: number, path = '/'): string {
    const port = this.ports.get(guestPort);
    if (port === undefined) throw new Error(`guest port ${guestPort} is not forwarded`);
    return `http://127.0.0.1:${port}${path}`;
  }

  async stop(): Promise<void> {
    if (!this.#exited) {
      await this.qmp.execute('quit').catch(() => undefined);
      const killer = setTimeout(() => this.process.kill('SIGKILL'), 10_000);
      await this.process.catch(() => undefined);
      clearTimeout(killer);
    }
    this.qmp.close();
    await new Promise<void>((resolve) => this.#log.end(resolve));
  }
}
