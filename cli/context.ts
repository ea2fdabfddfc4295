/**
 * What every command gets from the global options: the REST client (with the admin token), the
 * output, where MQTT listens, and the signal that ends a long-running command (Ctrl-C).
 */
import type { Command } from 'commander';
import { createApiClient, type ApiClient } from './api-client.js';
import { UsageError } from './errors.js';
import { createOutput, type Output, type Writers } from './output.js';

export interface GlobalOptions {
  url?: string;
  token?: string;
  mqttUrl?: string;
  json?: boolean;
}

export const DEFAULT_URL = 'http://127.0.0.1:3000';

export interface Context {
  /** REST with the token; using it without one is a usage error. */
  api: () => ApiClient;
  /** REST with another credential (a user token). */
  apiAs: (token: string) => ApiClient;
  /** REST without credential (/healthz, /metrics). */
  publicApi: () => ApiClient;
  out: Output;
  token: string | undefined;
  /** MQTT_PORT on the API's host unless --mqtt-url says otherwise. */
  mqttUrl: string;
  /** Aborted on Ctrl-C (SIGINT) or SIGTERM. */
  signal: AbortSignal;
}

export interface ContextDeps extends Writers {
  /** CHATCTL_URL, CHATCTL_TOKEN (or ADMIN_TOKEN, as the platform reads it), CHATCTL_MQTT_URL: what a flag does not say. */
  env: Readonly<Record<string, string | undefined>>;
  signal: AbortSignal;
  fetch?: typeof fetch;
  /** The last resort for the token: the one the platform generated into DATA_DIR, if this machine has it. */
  storedAdminToken?: () => string | undefined;
}

const DEFAULT_MQTT_PORT = 1883;

const given = (...values: (string | undefined)[]): string | undefined => values.find((value) => value !== undefined && value !== '');

export function contextOf(command: Command, deps: ContextDeps): Context {
  const flags = command.optsWithGlobals<GlobalOptions>();
  const { env } = deps;
  const url = given(flags.url, env['CHATCTL_URL']) ?? DEFAULT_URL;
  const token = given(flags.token, env['CHATCTL_TOKEN'], env['ADMIN_TOKEN']) ?? deps.storedAdminToken?.();
  let apiUrl: URL;
  try {
    apiUrl = new URL(url);
  } catch {
    throw new UsageError(`--url ${JSON.stringify(url)} is not a URL (http://host:port)`);
  }
  const client = (token: string | undefined) =>
    createApiClient({ url: apiUrl.href, token, ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }) });
  return {
    api: () => {
      if (token === undefined) {
        throw new UsageError(
          'no admin token: pass --token, or set CHATCTL_TOKEN (or ADMIN_TOKEN), or run it where DATA_DIR holds the platform data',
        );
      }
      return client(token);
    },
    apiAs: (token) => client(token),
    publicApi: () => client(undefined),
    out: createOutput(deps, flags.json === true),
    token,
    mqttUrl: given(flags.mqttUrl, env['CHATCTL_MQTT_URL']) ?? `mqtt://${apiUrl.hostname}:${DEFAULT_MQTT_PORT}`,
    signal: deps.signal,
  };
}
