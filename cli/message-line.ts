/** One room message as `chatctl tail` prints it: a line for people, an object per line (NDJSON) for scripts. */
import type { Message } from '../schema/index.js';

export type TailedMessage = Pick<Message, 'roomId' | 'seq' | 'senderId' | 'senderDevice' | 'sentAtMs' | 'contentType' | 'body'>;

const decoder = new TextDecoder();
const isText = (contentType: string): boolean => contentType === '' || contentType.startsWith('text/');

/** The body as text when it is text (control characters shown escaped), else what it is. */
function bodyText(message: TailedMessage, encrypted: boolean): string | undefined {
  if (encrypted || !isText(message.contentType)) return undefined;
  return decoder
    .decode(message.body)
    .replace(/[\u0000-\u001f\u007f]/g, (c) => (c === '\n' ? '\\n' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

export function humanLine(message: TailedMessage, encrypted: boolean): string {
  const time = new Date(message.sentAtMs).toISOString().slice(11, 19);
  const text = bodyText(message, encrypted);
  const shown =
    text ??
    `[${message.body.byteLength} bytes${encrypted ? ', encrypted' : ''}${message.contentType === '' ? '' : ` ${message.contentType}`}]`;
  return `#${message.seq}  ${time}  ${message.senderId}/${message.senderDevice}  ${shown}`;
}

export function jsonLine(message: TailedMessage, encrypted: boolean): string {
  const text = bodyText(message, encrypted);
  return JSON.stringify({
    roomId: message.roomId,
    seq: message.seq,
    senderId: message.senderId,
    senderDevice: message.senderDevice,
    sentAt: new Date(message.sentAtMs).toISOString(),
    contentType: message.contentType,
    ...(text === undefined ? { body: Buffer.from(message.body).toString('base64') } : { text: decoder.decode(message.body) }),
  });
}
