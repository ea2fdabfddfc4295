/** A message body as text: UTF-8, as `send()` encodes a string (malformed bytes become U+FFFD, never an error). */
import type { Message } from '@mqtt-chat/protocol';

const decoder = new TextDecoder();

export const messageText = (message: Pick<Message, 'body'>): string => decoder.decode(message.body);
