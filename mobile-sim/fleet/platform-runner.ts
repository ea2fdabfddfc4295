/**
 * The platform under test as a child process (`npm start`'s entry point), driven only through
 * what an operator has: environment variables, the banner it prints, and signals. Chaos kills it
 * with SIGKILL and starts it again on the same ports and data, as a supervisor would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const READY_PATTERN =
  /MQTT over TCP\s+mqtt:\/\/[^:\s]+:(?<mqtt>\d+)[\s\S]*MQTT over WebSocket\s+ws:\/\/[^:\s]+:(?<ws>\d+)[\s\S]*REST API\s+http:\/\/[^:\s]+:(?<api>\d+)/;
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
  let child = await spawnPlatform({ MQTT_PORT: '0', WS_PORT: '0', API_PORT: '0', ...env });
  const endpoints = child.endpoints;
  const fixedPorts = { MQTT_PORT: String(endpoints.mqttPort), WS_PORT: String(endpoints.wsPort), API_PORT: String(endpoints.apiPort) };
  let restarts = 0;
  return {
    endpoints,
    get restarts() {
      return restarts;
    },
    async crashAndRestart() {
      await stopChild(child.process, 'SIGKILL');
      child = await spawnPlatform({ ...env, ...fixedPorts });
      restarts += 1;
    },
    stop: () => stopChild(child.process, 'SIGTERM'),
  };
}

async function spawnPlatform(env: Record<string, string>): Promise<{ process: ChildProcess; endpoints: PlatformEndpoints }> {
  const child = spawn(process.execPath, ['--conditions=mqtt-chat-source', '--import', 'tsx', 'platform/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const endpoints = await new Promise<PlatformEndpoints>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the platform was not ready within ${START_LIMIT_MS} ms:\n${output}`)), START_LIMIT_MS);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`the platform exited with ${code} before it was ready:\n${output}`));
    };
    child.once('exit', onExit);
    const collect = (chunk: Buffer) => (output += chunk.toString());
    const onStdout = (chunk: Buffer) => {
      collect(chunk);
      const ports = READY_PATTERN.exec(output)?.groups;
      if (ports === undefined) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      child.stdout?.off('data', onStdout);
      child.stderr?.off('data', collect);
      resolve({ mqttPort: Number(ports['mqtt']), wsPort: Number(ports['ws']), apiPort: Number(ports['api']) });
    };
    child.stderr?.on('data', collect);
    child.stdout?.on('data', onStdout);
  });
  // Keep draining its output (warnings, errors) to ours, so a chatty child never blocks on a full pipe.
  child.stdout?.pipe(process.stderr);
  child.stderr?.pipe(process.stderr);
  return { process: child, endpoints };
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  await exited;
}
