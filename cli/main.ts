#!/usr/bin/env -S node --conditions=mqtt-chat-source --import tsx
/**
 * `npx chatctl ...` (root package.json "bin"): the admin CLI. The only file here that reads the
 * environment and the process: arguments, CHATCTL_* variables, Ctrl-C, the exit code.
 */
import { runChatctl } from './program.js';

const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => controller.abort());

process.exitCode = await runChatctl(process.argv.slice(2), {
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  signal: controller.signal,
});
