/**
 * Parts of the platform as real child processes (devtools/entry-process.ts), with what every test
 * wants: listeners on free ports, quiet logs, the caller's environment on top.
 */
import { ENTRY_POINTS, spawnEntryPoint, spawnPlatform as spawnPlatformProcess, type EntryProcess } from '../../devtools/index.js';

export type PartProcess = EntryProcess;

const testEnv = (env: Record<string, string>): NodeJS.ProcessEnv => ({
  ...process.env,
  MQTT_PORT: '0',
  WS_PORT: '0',
  API_PORT: '0',
  LOG_LEVEL: 'warn',
  ...env,
});

/** One entry point (`broker`, `bridge`, `api`, `platform`), ready when its output matches `ready`. */
export const spawnPart = (part: keyof typeof ENTRY_POINTS, env: Record<string, string>, ready: RegExp): Promise<PartProcess> =>
  spawnEntryPoint(ENTRY_POINTS[part], { env: testEnv(env), ready });

export interface PlatformProcess extends PartProcess {
  mqttUrl: string;
  apiUrl: string;
}

/** The all-in-one platform (`npm start`). */
export async function spawnPlatform(env: Record<string, string>): Promise<PlatformProcess> {
  const part = await spawnPlatformProcess({ env: testEnv(env) });
  return { ...part, mqttUrl: part.found['mqttUrl']!, apiUrl: part.found['apiUrl']! };
}
