/**
 * Parts of the platform as real child processes (`tsx <part>/main.ts`), for tests that kill
 * them or run them split. Endpoints are read from what each prints when it is ready.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const START_LIMIT_MS = 60_000;
const SHUTDOWN_LIMIT_MS = 20_000;

export interface PartProcess {
  child: ChildProcess;
  /** The named groups of the ready pattern. */
  found: Record<string, string>;
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function spawnPart(script: string, env: Record<string, string>, ready: RegExp): Promise<PartProcess> {
  const child = spawn(process.execPath, ['--conditions=mqtt-chat-source', '--import', 'tsx', script], {
    cwd: ROOT,
    env: { ...process.env, MQTT_PORT: '0', WS_PORT: '0', API_PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // A test process that dies before its cleanup must not leave the platform running.
  const onExit = () => child.kill('SIGKILL');
  process.once('exit', onExit);
  child.once('exit', () => process.removeListener('exit', onExit));
  let output = '';
  const found = await new Promise<Record<string, string>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} was not ready within ${START_LIMIT_MS} ms:\n${output}`)), START_LIMIT_MS);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (match === null) return;
      clearTimeout(timer);
      resolve({ ...match.groups });
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code} before it was ready:\n${output}`));
    });
  });
  return {
    child,
    found,
    output: () => output,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill(signal);
      // A shutdown that hangs is reported, and ended, rather than failing the suite's cleanup by a hook timeout.
      const hung = setTimeout(() => {
        console.warn(`${script}: no exit ${SHUTDOWN_LIMIT_MS} ms after ${signal}; killed. Its output:\n${output.slice(-4000)}`);
        child.kill('SIGKILL');
      }, SHUTDOWN_LIMIT_MS);
      await exited;
      clearTimeout(hung);
    },
  };
}

export interface PlatformProcess extends PartProcess {
  mqttUrl: string;
  apiUrl: string;
}

/** The all-in-one platform (`npm start`). */
export async function spawnPlatform(env: Record<string, string>): Promise<PlatformProcess> {
  const part = await spawnPart(
    'platform/main.ts',
    env,
    /MQTT over TCP\s+(?<mqttUrl>mqtt:\/\/\S+)[\s\S]*REST API\s+(?<apiUrl>http:\/\/\S+)/,
  );
  return { ...part, mqttUrl: part.found['mqttUrl']!, apiUrl: part.found['apiUrl']! };
}
