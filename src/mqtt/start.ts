import { dirname, join } from 'node:path';
import type { Config } from '../config/index.js';
import type { Logger } from '../log/index.js';
import { SupervisorClient } from '../supervisor/index.js';
import { errorMessage } from '../util/errors.js';
import { Bridge, type BridgeSettings } from './bridge.js';
import { resolveBroker, type BrokerOverride, type BrokerSettings } from './broker.js';
import { realTimers, type Timers } from './timers.js';
import { PACKAGE } from '../util/version.js';

export interface StartBridgeOptions extends Partial<BridgeSettings> {
  /** Use this broker instead of the options / Supervisor (the demo, tests); also when mqtt_enabled is false. */
  broker?: BrokerOverride;
  /** Default: a client for SUPERVISOR_URL with SUPERVISOR_TOKEN; null: never ask the Supervisor. */
  supervisor?: SupervisorClient | null;
  /** The device link to the ingress panel; default: asked from the Supervisor (omitted when unknown). */
  configurationUrl?: string | null;
  /** When no broker is configured, look again this often (quietly). */
  brokerRetryMs?: number;
  timers?: Timers;
  random?: () => number;
}

/** A started bridge (or one idling without a broker); `stop()` publishes `offline` and disconnects. */
export interface RunningBridge {
  /** The bridge once a broker was found, else null (idle). */
  readonly bridge: Bridge | null;
  stop(): Promise<void>;
}

function defaultBridgeSettings(config: Pick<Config, 'api_dir'>): BridgeSettings {
  return {
    stateDir: join(dirname(config.api_dir), 'mqtt'),
    progressIntervalMs: 1000,
    maxReplayAgeMs: 3_600_000,
    // The core's lock goes stale 6 s after its last touch; checked every second: offline within 8 s.
    heartbeatCheckMs: 1000,
    pollMs: 30_000,
    haBirthDelayMs: { min: 500, max: 3000 },
    scanTimeoutMs: 3000,
    stateGraceMs: 2000,
    backoff: { minMs: 1000, maxMs: 60_000 },
    keepaliveS: 30,
    connectTimeoutMs: 10_000,
    eventBatchSize: 100,
    controlTimeoutMs: 5000,
  };
}

async function ingressUrl(supervisor: SupervisorClient | null, logger: Logger): Promise<string | null> {
  if (!supervisor?.hasToken) return null;
  const info = await supervisor.selfInfo();
  if (!info.ok) {
    logger.debug({ reason: info.reason }, 'no ingress link for the devices: %s', info.message);
    return null;
  }
  // HA opens homeassistant:// links inside its own UI, here the add-on's ingress panel.
  return info.data.ingress === false ? null : `homeassistant://hassio/ingress/${info.data.slug}`;
}

/**
 * Starts the MQTT bridge of `config`. MQTT disabled or no broker is a normal condition: one log
 * line, and the returned handle idles (and keeps looking for a broker) instead of failing.
 */
export async function startBridge(config: Config, logger: Logger, options: StartBridgeOptions = {}): Promise<RunningBridge> {
  const log = logger.child({ ns: 'mqtt' });
  const timers = options.timers ?? realTimers;
  // A broker given by the caller (the demo) is an explicit wish for MQTT; the option is the user's.
  if (!config.mqtt_enabled && !options.broker) {
    log.info('MQTT is disabled (option mqtt_enabled: false); the bridge stays idle');
    return { bridge: null, stop: () => Promise.resolve() };
  }
  const supervisor = options.supervisor === undefined ? new SupervisorClient() : options.supervisor;
  const settings: BridgeSettings = { ...defaultBridgeSettings(config), ...stripUndefined(options) };

  let bridge: Bridge | null = null;
  let stopped = false;
  let retryTimer: unknown = null;

  const launch = async (broker: BrokerSettings) => {
    const configurationUrl = options.configurationUrl !== undefined ? options.configurationUrl : await ingressUrl(supervisor, log);
    if (stopped) return;
    bridge = new Bridge({
      config,
      logger,
      broker,
      settings,
      origin: { name: 'disk2iso', sw_version: PACKAGE.version, ...(PACKAGE.supportUrl ? { support_url: PACKAGE.supportUrl } : {}) },
      swVersion: PACKAGE.version,
      configurationUrl,
      timers,
      random: options.random ?? Math.random,
    });
    await bridge.start();
  };

  const first = await resolveBroker(config, supervisor, options.broker);
  if (first.ok) {
    await launch(first.settings);
  } else {
    log.warn('%s; the bridge stays idle and looks again every %d s', first.reason, Math.round((options.brokerRetryMs ?? 60_000) / 1000));
    const retry = () => {
      retryTimer = null;
      void resolveBroker(config, supervisor, options.broker).then(async (again) => {
        if (stopped) return;
        if (!again.ok) {
          log.debug('still no broker: %s', again.reason);
          retryTimer = timers.setTimeout(retry, options.brokerRetryMs ?? 60_000);
          return;
        }
        log.info('an MQTT broker is available now');
        await launch(again.settings).catch((error: unknown) => log.error({ err: errorMessage(error) }, 'starting the bridge failed: %s', errorMessage(error)));
      });
    };
    retryTimer = timers.setTimeout(retry, options.brokerRetryMs ?? 60_000);
  }

  return {
    get bridge() {
      return bridge;
    },
    async stop() {
      stopped = true;
      if (retryTimer !== null) timers.clearTimeout(retryTimer);
      await bridge?.stop();
    },
  };
}

function stripUndefined(options: StartBridgeOptions): Partial<BridgeSettings> {
  const keys: Array<keyof BridgeSettings> = [
    'stateDir',
    'progressIntervalMs',
    'maxReplayAgeMs',
    'heartbeatCheckMs',
    'pollMs',
    'haBirthDelayMs',
    'scanTimeoutMs',
    'stateGraceMs',
    'backoff',
    'keepaliveS',
    'connectTimeoutMs',
    'eventBatchSize',
    'controlTimeoutMs',
  ];
  const out: Partial<Record<keyof BridgeSettings, unknown>> = {};
  for (const key of keys) if (options[key] !== undefined) out[key] = options[key];
  return out as Partial<BridgeSettings>;
}
