#!/usr/bin/env -S node --conditions=mqtt-chat-source --import tsx
/**
 * `npx chatctl ...` (root package.json "bin"): the admin CLI. The only file here that reads the
 * environment and the process: arguments, CHATCTL_* variables, the platform's stored admin token,
 * Ctrl-C, the exit code.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runChatctl } from './program.js';

/**
 * The admin token `npm start` generated into DATA_DIR (platform/secrets.ts writes
 * `secrets.json`, mode 0600), so chatctl on the machine that runs the platform needs no flag.
 */
function storedAdminToken(): string | undefined {
  try {
    const stored = JSON.parse(readFileSync(join(process.env['DATA_DIR'] ?? './data', 'secrets.json'), 'utf8')) as { adminToken?: unknown };
    return typeof stored.adminToken === 'string' ? stored.adminToken : undefined;
  } catch {
    return undefined; // no platform data here, or not readable by this user
  }
}

const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => controller.abort());

process.exitCode = await runChatctl(process.argv.slice(2), {
  env: process.env,
  storedAdminToken,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  signal: controller.signal,
});
