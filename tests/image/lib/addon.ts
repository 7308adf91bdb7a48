import type { DriveState, HistoryEntry } from '../../../src/contract/index.js';
import { waitFor } from '../../helpers/wait.js';
import type { Vm } from '../../hardware/lib/vm.js';
import { GUEST_AGENT_PORT, GUEST_WEB_PORT } from './guest.js';

/** The ingress path the Supervisor's proxy sends (X-Ingress-Path) for this add-on. */
export const INGRESS_PATH = '/api/hassio_ingress/rig-ingress-token';

export interface ContainerState {
  readonly pid: number | null;
  readonly init: number | null;
  readonly startedAt: number | null;
  readonly exitedAt: number | null;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly starts: number;
}

interface DriveView {
  readonly status: { readonly state: DriveState; readonly drive: { readonly vendor?: string | null; readonly model?: string | null } } | null;
  readonly progress: { readonly bytes_done: number; readonly bytes_total: number; readonly percent: number } | null;
}

/**
 * The add-on in the guest as the host sees it: its web server through the forwarded ingress port
 * (with the proxy's X-Ingress-Path, from the proxy's address), and the rig's agent.
 */
export class GuestAddon {
  constructor(readonly vm: Vm) {}

  async web(path: string, init: RequestInit = {}): Promise<Response> {
    return fetch(this.vm.url(GUEST_WEB_PORT, path), {
      ...init,
      headers: { 'X-Ingress-Path': INGRESS_PATH, ...(init.headers as Record<string, string> | undefined) },
      signal: AbortSignal.timeout(30_000),
    });
  }

  async webJson<T>(path: string): Promise<T> {
    const response = await this.web(path);
    if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  async agent<T>(path: string, method: 'GET' | 'POST' = 'GET'): Promise<T> {
    const response = await fetch(this.vm.url(GUEST_AGENT_PORT, path), { method, signal: AbortSignal.timeout(120_000) });
    const body = (await response.json()) as T;
    if (!response.ok) throw new Error(`agent ${method} ${path}: ${response.status} ${JSON.stringify(body)}`);
    return body;
  }

  container(): Promise<ContainerState> {
    return this.agent<ContainerState>('/container');
  }

  /** The drive's view from the REST API, or null while the web server does not answer. */
  async drive(id = 'sr0'): Promise<DriveView | null> {
    try {
      return await this.webJson<DriveView>(`/api/drives/${id}`);
    } catch {
      return null;
    }
  }

  async waitForState(state: DriveState, timeoutMs = 240_000, id = 'sr0'): Promise<DriveView> {
    return waitFor(async () => {
      const view = await this.drive(id);
      return view?.status?.state === state ? view : null;
    }, { timeoutMs, intervalMs: 250, message: `drive ${id} in ${state}` });
  }

  async history(): Promise<HistoryEntry[]> {
    return (await this.webJson<{ entries: HistoryEntry[] }>('/api/history')).entries;
  }

  /** Waits for the `count`-th finished job and returns it (history is newest first). */
  async waitForJobs(count: number, timeoutMs = 600_000): Promise<HistoryEntry> {
    const entries = await waitFor(async () => {
      const all = await this.history();
      return all.length >= count ? all : null;
    }, { timeoutMs, intervalMs: 500, message: `${count} finished jobs` });
    return entries[0]!;
  }

  async sha256(path: string): Promise<string> {
    return (await this.agent<{ sha256: string }>(`/sha256?path=${encodeURIComponent(path)}`)).sha256;
  }

  /** Host PIDs of the container's processes whose command line contains `needle`. */
  async pids(needle: string): Promise<number[]> {
    return (await this.agent<{ pids: number[] }>(`/process?cmdline=${encodeURIComponent(needle)}`)).pids;
  }

  async signalProcess(needle: string, signal: string): Promise<number[]> {
    return (await this.agent<{ pids: number[] }>(`/process/signal?cmdline=${encodeURIComponent(needle)}&signal=${signal}`, 'POST')).pids;
  }

  /** The kernel's AppArmor denials so far (audit lines with apparmor="DENIED"). */
  async denials(): Promise<string[]> {
    const { lines } = await this.agent<{ lines: string[] }>('/kernel-log');
    return lines.filter((line) => line.includes('apparmor="DENIED"'));
  }

  /** Waits for the container to end and returns its state. */
  async waitForExit(timeoutMs = 120_000): Promise<ContainerState> {
    return waitFor(async () => {
      const state = await this.container();
      return state.exitedAt !== null ? state : null;
    }, { timeoutMs, intervalMs: 100, message: 'the container to exit' });
  }
}
