import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSseParser, type SseEvent } from '../../sdk/src/sse-parser.js';

const STREAM = [
  ': a comment\n',
  'event: ready\ndata: {"a":1}\n\n',
  'event: publish\r\nid: room1:7\r\ndata: {"topic":"t"}\r\n\r\n',
  'data: first\rdata: second\r\r',
  'event: no-data\n\n',
  'id: kept-only-with-data\ndata:no space\n\n',
].join('');

const EXPECTED: SseEvent[] = [
  { event: 'ready', data: '{"a":1}', id: undefined },
  { event: 'publish', data: '{"topic":"t"}', id: 'room1:7' },
  { event: 'message', data: 'first\nsecond', id: undefined },
  { event: 'message', data: 'no space', id: 'kept-only-with-data' },
];

describe('createSseParser', () => {
  it('parses events with LF, CRLF and CR line ends, comments, multi-line data, ids, and skips events without data', () => {
    expect(createSseParser().feed(STREAM)).toEqual(EXPECTED);
  });

  it('gives the same events however the stream is cut into chunks', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: STREAM.length }), { maxLength: 12 }), (cuts) => {
        const points = [...new Set([0, ...cuts, STREAM.length])].sort((a, b) => a - b);
        const parser = createSseParser();
        const events = points.slice(1).flatMap((end, i) => parser.feed(STREAM.slice(points[i], end)));
        expect(events).toEqual(EXPECTED);
      }),
    );
  });

  it('holds an event back until its blank line arrives', () => {
    const parser = createSseParser();
    expect(parser.feed('event: x\ndata: 1\n')).toEqual([]);
    expect(parser.feed('\n')).toEqual([{ event: 'x', data: '1', id: undefined }]);
  });
});
