/**
 * The platform under test as a child process (`npm start`'s entry point), driven only through
 * what an operator has: environment variables, the banner it prints, and signals. Chaos kills it
 * with SIGKILL and starts it again on the same ports and data, as a supervisor would.
 */
import { spawnPlatform, type EntryProcess } from '../../devtools/index.js';

const START_LIMIT_MS = 120_000;

export interface PlatformEndpoints {
  mqttPort: number;
  wsPort: number;
  apiPort: number;
}

export interface PlatformRunner {
  readonly endpoints: PlatformEndpoints;
  readonly restarts: number;
  /** SIGKILL, then start again on the same ports and data; resolves when it is serving again. */
  crashAndRestart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startPlatformRunner(env: Record<string, string>): Promise<PlatformRunner> {
  let child = await start({ MQTT_PORT: '0', WS_PORT: '0', API_PORT: '0', ...env });
  const endpoints = endpointsOf(child);
  const fixedPorts = { MQTT_PORT: String(endpoints.mqttPort), WS_PORT: String(endpoints.wsPort), API_PORT: String(endpoints.apiPort) };
  let restarts = 0;
  return {
    endpoints,
    get restarts() {
      return restarts;
    },
    async crashAndRestart() {
      await child.stop('SIGKILL');
      child = await start({ ...env, ...fixedPorts });
      restarts += 1;
    },
    stop: () => child.stop('SIGTERM'),
  };
}

// Its later output (warnings, errors) goes to ours.
const start = (env: Record<string, string>): Promise<EntryProcess> =>
  spawnPlatform({ env: { ...process.env, ...env }, startLimitMs: START_LIMIT_MS, onOutput: (chunk) => process.stderr.write(chunk) });

const portOf = (url: string | undefined): number => Number(new URL(url ?? 'invalid:').port);

function endpointsOf(child: EntryProcess): PlatformEndpoints {
  const { mqttUrl, wsUrl, apiUrl } = child.found;
  return { mqttPort: portOf(mqttUrl), wsPort: portOf(wsUrl), apiPort: portOf(apiUrl) };
}
