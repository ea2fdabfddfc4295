/**
 * The fleet's correctness checker: the first three guarantees of docs/guarantees.md#guarantees
 * (nothing acknowledged lost, no duplicates, one order per room) judged over everything the
 * simulated apps saw. Pure: the runner records, this decides.
 *
 * - lost: an acknowledged send that the platform's final history lacks (or holds at another
 *   seq or from another sender), or that a member of its room never got delivered by the end;
 * - duplicates: a (room, seq) handed to one app more than once;
 * - order violations: a (room, seq) handed to an app after a higher seq of that room;
 * - disagreements: a member whose history differs from the platform's (another message at a
 *   seq, or an unacknowledged message of the room it never got), i.e. two members who would
 *   not agree; in an end-to-end encrypted room also a message whose decrypted content is not
 *   what its sender sent (the platform's history is ciphertext: the senders' own record is the
 *   truth of the content);
 * - undecryptable: a message of an encrypted room that a member could not read, or that reached it
 *   unencrypted.
 */

export interface AckedSend {
  roomId: string;
  senderId: string;
  clientMsgId: string;
  seq: number;
}

/** One message as the app (or the platform's history) saw it. */
export interface SeenMessage {
  roomId: string;
  seq: number;
  senderId: string;
  clientMsgId: string;
  /** In an encrypted room: what the app was handed (the SDK's `message.e2ee.state`, 'none' when it was not encrypted). */
  e2ee?: 'decrypted' | 'keys-only' | 'undecryptable' | 'none';
  /** The decrypted content, when `e2ee` is 'decrypted'. */
  content?: string;
}

export interface CheckInput {
  acked: readonly AckedSend[];
  /** Per simulated app (device), the rooms it followed from the start and what it delivered, in delivery order. */
  apps: readonly { appId: string; rooms: readonly string[]; delivered: readonly SeenMessage[] }[];
  /** The platform's final history per room, fetched after the run (the truth). */
  history: ReadonlyMap<string, readonly SeenMessage[]>;
  /** End-to-end encrypted rooms: their messages must reach every app decrypted, as sent. */
  encryptedRooms?: ReadonlySet<string>;
  /** What each send carried, by `senderId/clientMsgId` (the truth of content in encrypted rooms). */
  sentContent?: ReadonlyMap<string, string>;
}

export interface CheckReport {
  lost: number;
  duplicates: number;
  orderViolations: number;
  disagreements: number;
  undecryptable: number;
  /** A few human-readable cases of each kind, for the report. */
  examples: string[];
}

const MAX_EXAMPLES_PER_KIND = 3;

export function checkFleet(input: CheckInput): CheckReport {
  const examples: string[] = [];
  const counts = { lost: 0, duplicates: 0, orderViolations: 0, disagreements: 0, undecryptable: 0 };
  const shown = { lost: 0, duplicates: 0, orderViolations: 0, disagreements: 0, undecryptable: 0 };
  const flag = (kind: keyof typeof counts, text: string): void => {
    counts[kind] += 1;
    if (shown[kind]++ < MAX_EXAMPLES_PER_KIND) examples.push(`${kind}: ${text}`);
  };

  const truth = new Map<string, Map<number, SeenMessage>>();
  for (const [roomId, messages] of input.history) truth.set(roomId, new Map(messages.map((m) => [m.seq, m])));
  const deliveredBy = new Map<string, Map<string, Set<number>>>();
  // An acknowledged message a member never got is counted once, as lost, not also as a disagreement.
  const ackedSeqs = new Set(input.acked.map((send) => `${send.roomId}:${send.seq}`));

  for (const app of input.apps) {
    const seqsByRoom = new Map<string, Set<number>>(app.rooms.map((roomId) => [roomId, new Set<number>()]));
    deliveredBy.set(app.appId, seqsByRoom);
    const highestByRoom = new Map<string, number>();
    for (const message of app.delivered) {
      const where = `${app.appId} room ${message.roomId} seq ${message.seq}`;
      const seqs = seqsByRoom.get(message.roomId) ?? new Set<number>();
      seqsByRoom.set(message.roomId, seqs);
      if (seqs.has(message.seq)) {
        flag('duplicates', `${where} delivered again`);
        continue;
      }
      seqs.add(message.seq);
      const highest = highestByRoom.get(message.roomId) ?? 0;
      if (message.seq < highest) flag('orderViolations', `${where} delivered after seq ${highest}`);
      highestByRoom.set(message.roomId, Math.max(highest, message.seq));
      const expected = truth.get(message.roomId)?.get(message.seq);
      if (expected === undefined || !sameMessage(expected, message))
        flag(
          'disagreements',
          `${where} is ${describe(message)}, the platform has ${expected ? describe(expected) : `nothing (its last seq there is ${lastSeqOf(input.history.get(message.roomId))})`}`,
        );
      if (input.encryptedRooms?.has(message.roomId) === true) checkContent(message, where);
    }
    for (const roomId of app.rooms) {
      const seqs = seqsByRoom.get(roomId)!;
      for (const seq of truth.get(roomId)?.keys() ?? [])
        if (!seqs.has(seq) && !ackedSeqs.has(`${roomId}:${seq}`)) flag('disagreements', `${app.appId} room ${roomId} never got seq ${seq}`);
    }
  }

  /** An encrypted room's message: readable by this app, and exactly what its sender sent. */
  function checkContent(message: SeenMessage, where: string): void {
    if (message.e2ee === 'keys-only') return; // a key distribution sent ahead of its content: nothing to read
    if (message.e2ee !== 'decrypted') return flag('undecryptable', `${where} was handed over ${message.e2ee ?? 'none'}`);
    const sent = input.sentContent?.get(`${message.senderId}/${message.clientMsgId}`);
    if (sent !== message.content)
      flag('disagreements', `${where} decrypted to ${JSON.stringify(message.content)}, its sender sent ${JSON.stringify(sent)}`);
  }

  for (const send of input.acked) {
    const stored = truth.get(send.roomId)?.get(send.seq);
    const label = `acked ${send.senderId}/${send.clientMsgId} as room ${send.roomId} seq ${send.seq}`;
    if (stored === undefined || !sameMessage(stored, { ...send })) {
      flag('lost', `${label}, the platform has ${stored ? describe(stored) : 'nothing'} there`);
      continue;
    }
    for (const app of input.apps)
      if (app.rooms.includes(send.roomId) && !deliveredBy.get(app.appId)!.get(send.roomId)!.has(send.seq))
        flag('lost', `${label}, never delivered to ${app.appId}`);
  }
  return { ...counts, examples };
}

export const isClean = (report: CheckReport): boolean =>
  report.lost === 0 && report.duplicates === 0 && report.orderViolations === 0 && report.disagreements === 0 && report.undecryptable === 0;

function sameMessage(a: Omit<SeenMessage, 'seq'>, b: Omit<SeenMessage, 'seq'>): boolean {
  return a.roomId === b.roomId && a.senderId === b.senderId && a.clientMsgId === b.clientMsgId;
}

const describe = (m: SeenMessage): string => `${m.senderId}/${m.clientMsgId}`;
const lastSeqOf = (messages: readonly SeenMessage[] | undefined): number => messages?.at(-1)?.seq ?? 0;
