/**
 * An incremental parser of `text/event-stream` (the WHATWG Server-Sent Events format), for
 * reading an event stream over `fetch` where no EventSource is at hand (Node) or where headers
 * must be set. Text is fed in chunks cut anywhere; each complete event comes out once. Lines end
 * with LF, CR or CRLF; `:` lines are comments; an event's `data` lines are joined with LF; an
 * event without data is not dispatched (as EventSource does).
 */
export interface SseEvent {
  event: string;
  data: string;
  /** The `id` field of this event, if it had one. */
  id: string | undefined;
}

export interface SseParser {
  /** Parses `text` (any piece of the stream) and returns the events it completed. */
  feed(text: string): SseEvent[];
}

export function createSseParser(): SseParser {
  let buffer = '';
  /** A CR ended the previous chunk: an LF starting this one belongs to it. */
  let pendingCr = false;
  let event = '';
  let data: string[] = [];
  let id: string | undefined;

  function line(text: string, out: SseEvent[]): void {
    if (text === '') {
      if (data.length > 0) out.push({ event: event === '' ? 'message' : event, data: data.join('\n'), id });
      event = '';
      data = [];
      id = undefined;
      return;
    }
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id' && !value.includes('\0')) id = value;
    // `retry` and unknown fields are ignored: reconnecting is the caller's decision.
  }

  return {
    feed(text) {
      const out: SseEvent[] = [];
      let chunk = text;
      if (pendingCr && chunk.startsWith('\n')) chunk = chunk.slice(1);
      pendingCr = false;
      buffer += chunk;
      let start = 0;
      for (let i = 0; i < buffer.length; i += 1) {
        const char = buffer[i];
        if (char !== '\n' && char !== '\r') continue;
        line(buffer.slice(start, i), out);
        if (char === '\r') {
          if (i + 1 === buffer.length) pendingCr = true;
          else if (buffer[i + 1] === '\n') i += 1;
        }
        start = i + 1;
      }
      buffer = buffer.slice(start);
      return out;
    },
  };
}
