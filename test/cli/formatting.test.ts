/** chatctl's own parsing and formatting: the Prometheus text it reads, the tables and message lines it prints. */
import { describe, expect, it } from 'vitest';
import { humanLine, jsonLine, keyValues, parsePrometheus, table, total } from '../../cli/index.js';

describe('parsePrometheus', () => {
  const text = [
    '# HELP chat_sends_total Sends handled',
    '# TYPE chat_sends_total counter',
    'chat_sends_total{outcome="stored"} 12',
    'chat_sends_total{outcome="rate_limited"} 3',
    'chat_mqtt_connections 7',
    'chat_label_escapes{path="a\\"b\\\\c",x="y"} 1.5 1700000000000',
    'chat_send_commit_seconds_bucket{le="+Inf"} 4',
    '',
  ].join('\n');

  it('reads every sample with its labels, skipping comments, and sums by name and labels', () => {
    const samples = parsePrometheus(text);
    expect(samples).toHaveLength(5);
    expect(samples).toContainEqual({ name: 'chat_label_escapes', labels: { path: 'a"b\\c', x: 'y' }, value: 1.5 });
    expect(total(samples, 'chat_sends_total')).toBe(15);
    expect(total(samples, 'chat_sends_total', { outcome: 'stored' })).toBe(12);
    expect(total(samples, 'chat_mqtt_connections')).toBe(7);
    expect(total(samples, 'absent')).toBe(0);
  });
});

describe('tables', () => {
  it('pads columns to their widest cell and shows empty cells as -', () => {
    expect(
      table(
        ['id', 'name'],
        [
          ['a', 'Ada'],
          ['bbbb', null],
        ],
      ),
    ).toEqual(['ID    NAME', 'a     Ada', 'bbbb  -']);
    expect(
      keyValues([
        ['id', 'x'],
        ['members', 3],
      ]),
    ).toEqual(['id       x', 'members  3']);
  });
});

describe('message lines', () => {
  const message = {
    roomId: 'r',
    seq: 4,
    senderId: 'ada',
    senderDevice: 'phone',
    sentAtMs: Date.UTC(2030, 0, 1, 12, 34, 56),
    contentType: 'text/plain',
    body: new TextEncoder().encode('two\nlines'),
  };

  it('prints text on one line, escaped, and says what a body that is not text is', () => {
    expect(humanLine(message, false)).toBe('#4  12:34:56  ada/phone  two\\nlines');
    expect(humanLine({ ...message, contentType: 'image/png' }, false)).toBe('#4  12:34:56  ada/phone  [9 bytes image/png]');
    expect(humanLine(message, true)).toBe('#4  12:34:56  ada/phone  [9 bytes, encrypted text/plain]');
  });

  it('gives scripts the text as it is, or the body in base64', () => {
    expect(JSON.parse(jsonLine(message, false))).toMatchObject({ seq: 4, text: 'two\nlines', sentAt: '2030-01-01T12:34:56.000Z' });
    expect(JSON.parse(jsonLine(message, true))).toMatchObject({ body: Buffer.from('two\nlines').toString('base64') });
  });
});
