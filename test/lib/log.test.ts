/**
 * The root logger pretty-prints for a person at a terminal and writes one JSON object per line
 * for a collector; LOG_FORMAT overrides the choice.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { chooseLogFormat, createRootLogger, type LogFormat } from '../../lib/log.js';

function capture(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

function logOneLine(options: { format?: LogFormat; isTTY: boolean }): string {
  const out = capture();
  const log = createRootLogger('info', 'test', { ...options, destination: out.stream });
  log.info({ roomId: 'r1', token: 'secret-token' }, 'room created');
  return out.text();
}

describe('the root logger', () => {
  it('chooses pretty for a terminal and JSON otherwise, unless told', () => {
    expect(chooseLogFormat('auto', true)).toBe('pretty');
    expect(chooseLogFormat('auto', false)).toBe('json');
    expect(chooseLogFormat('json', true)).toBe('json');
    expect(chooseLogFormat('pretty', false)).toBe('pretty');
  });

  it('writes one JSON object per line when stdout is not a terminal', () => {
    const text = logOneLine({ isTTY: false });
    const lines = text.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 30, name: 'test', msg: 'room created', roomId: 'r1', token: '[redacted]' });
  });

  it('pretty-prints when stdout is a terminal, credentials still redacted', () => {
    const text = logOneLine({ isTTY: true });
    expect(() => JSON.parse(text)).toThrow();
    expect(text).toMatch(/INFO.*\(test\): room created/);
    expect(text).toContain('roomId: "r1"');
    expect(text).toContain('[redacted]');
    expect(text).not.toContain('secret-token');
  });

  it('follows an explicit LOG_FORMAT over the terminal check', () => {
    expect(() => JSON.parse(logOneLine({ format: 'json', isTTY: true }))).not.toThrow();
    expect(logOneLine({ format: 'pretty', isTTY: false })).toMatch(/INFO.*room created/);
  });
});
