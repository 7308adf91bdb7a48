import type { Config } from '../config/index.js';
import type { SupervisorClient } from '../supervisor/index.js';

export type ProtocolVersion = 3 | 4 | 5;

/** Where the bridge connects, resolved once from options, the Supervisor or the caller. */
export interface BrokerSettings {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  readonly username: string | undefined;
  readonly password: string | undefined;
  /** MQTT.js numbering: 4 = MQTT 3.1.1, 5 = MQTT 5. */
  readonly protocolVersion: ProtocolVersion;
  readonly source: 'options' | 'supervisor' | 'caller';
  /** PEM CA certificate(s) to trust for mqtts besides the system's (callers only). */
  readonly ca?: string;
}

/** A broker given by the caller (the demo, tests): `mqtt://host:port` or `mqtts://…`. */
export interface BrokerOverride {
  url: string;
  username?: string;
  password?: string;
  protocolVersion?: ProtocolVersion;
  /** PEM CA certificate(s) for a broker with a private CA. */
  ca?: string;
}

export type BrokerResolution = { ok: true; settings: BrokerSettings } | { ok: false; reason: string };

/** "5", "5.0" → 5; "3.1" → 3; anything else (normally "3.1.1") → 4. */
function protocolFromString(text: string | null | undefined): ProtocolVersion {
  const t = (text ?? '').trim();
  if (t === '5' || t.startsWith('5.')) return 5;
  if (t === '3.1') return 3;
  return 4;
}

/** `host`, `host:port`, `mqtt://host:port` or `mqtts://host` → parts; null when malformed. */
export function parseBrokerAddress(text: string): { host: string; port: number | null; tls: boolean | null } | null {
  const trimmed = text.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `mqtt://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return null;
  }
  const scheme = url.protocol.replace(/:$/, '').toLowerCase();
  if (!['mqtt', 'mqtts', 'tcp', 'ssl', 'tls'].includes(scheme) || !url.hostname) return null;
  const tls = scheme === 'mqtts' || scheme === 'ssl' || scheme === 'tls' ? true : /^[a-z]+:\/\//i.test(trimmed) ? false : null;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, port: url.port ? Number(url.port) : null, tls };
}

const defaultPort = (tls: boolean) => (tls ? 8883 : 1883);

/**
 * Broker settings: a caller's URL wins; else `mqtt_host` from the options; else the broker the
 * Supervisor announces (`GET /services/mqtt`), with any non-empty `mqtt_*` option overriding
 * its field. Never throws: "no broker" is a normal, reported condition.
 */
export async function resolveBroker(
  config: Pick<Config, 'mqtt_host' | 'mqtt_port' | 'mqtt_tls' | 'mqtt_user' | 'mqtt_password'>,
  supervisor: SupervisorClient | null,
  override?: BrokerOverride,
): Promise<BrokerResolution> {
  if (override) {
    const address = parseBrokerAddress(override.url);
    if (!address) return { ok: false, reason: `the broker URL ${JSON.stringify(override.url)} is not mqtt://host:port or mqtts://host:port` };
    const tls = address.tls ?? false;
    return {
      ok: true,
      settings: {
        host: address.host,
        port: address.port ?? defaultPort(tls),
        tls,
        username: override.username || undefined,
        password: override.password || undefined,
        protocolVersion: override.protocolVersion ?? 4,
        source: 'caller',
        ...(override.ca ? { ca: override.ca } : {}),
      },
    };
  }
  const user = config.mqtt_user || undefined;
  const password = config.mqtt_password || undefined;
  if (config.mqtt_host) {
    const address = parseBrokerAddress(config.mqtt_host);
    if (!address) return { ok: false, reason: `option "mqtt_host": ${JSON.stringify(config.mqtt_host)} is not a host name, host:port or mqtt(s)://host:port` };
    const tls = config.mqtt_tls || (address.tls ?? false);
    return {
      ok: true,
      settings: {
        host: address.host,
        port: config.mqtt_port || (address.port ?? defaultPort(tls)),
        tls,
        username: user,
        password,
        protocolVersion: 4,
        source: 'options',
      },
    };
  }
  if (!supervisor) return { ok: false, reason: 'no broker: option "mqtt_host" is empty and the Supervisor is not available' };
  const service = await supervisor.mqttService();
  if (!service.ok) {
    const why =
      service.reason === 'not_available'
        ? 'no app provides MQTT (install the Mosquitto broker add-on) and option "mqtt_host" is empty'
        : service.reason === 'no_token'
          ? 'option "mqtt_host" is empty and SUPERVISOR_TOKEN is not set, so the Supervisor cannot be asked'
          : `option "mqtt_host" is empty and the Supervisor gave no broker (${service.message})`;
    return { ok: false, reason: `no MQTT broker: ${why}` };
  }
  const s = service.data;
  const tls = config.mqtt_tls || s.ssl;
  return {
    ok: true,
    settings: {
      host: s.host,
      port: config.mqtt_port || s.port,
      tls,
      // Credentials come as a pair: a user in the options replaces the Supervisor's user and password.
      username: user ? user : s.username || undefined,
      password: user ? password : s.password || undefined,
      protocolVersion: protocolFromString(s.protocol),
      source: 'supervisor',
    },
  };
}

/** For logs: never the password. */
export function describeBroker(settings: BrokerSettings): string {
  const proto = settings.protocolVersion === 5 ? 'MQTT 5' : settings.protocolVersion === 3 ? 'MQTT 3.1' : 'MQTT 3.1.1';
  return `${settings.tls ? 'mqtts' : 'mqtt'}://${settings.host.includes(':') ? `[${settings.host}]` : settings.host}:${settings.port} (${proto}, ${settings.username ? `user "${settings.username}"` : 'anonymous'}, from ${settings.source})`;
}
