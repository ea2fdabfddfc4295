/**
 * The platform as a real child process (`tsx platform/main.ts`), for tests that kill it.
 * Endpoints are read from its start-up banner.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const START_LIMIT_MS = 60_000;

export interface PlatformProcess {
  child: ChildProcess;
  mqttUrl: string;
  apiUrl: string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function spawnPlatform(env: Record<string, string>): Promise<PlatformProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'platform/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, MQTT_PORT: '0', WS_PORT: '0', API_PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const endpoints = await new Promise<{ mqttUrl: string; apiUrl: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`platform did not start within ${START_LIMIT_MS} ms:\n${output}`)), START_LIMIT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const mqttUrl = /MQTT over TCP\s+(mqtt:\/\/\S+)/.exec(output)?.[1];
      const apiUrl = /REST API\s+(http:\/\/\S+)/.exec(output)?.[1];
      if (mqttUrl !== undefined && apiUrl !== undefined) {
        clearTimeout(timer);
        resolve({ mqttUrl, apiUrl });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`platform exited with ${code} before it started:\n${output}`));
    });
  });
  return {
    child,
    ...endpoints,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill(signal);
      await exited;
    },
  };
}
