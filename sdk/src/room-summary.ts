/**
 * A room as the app's room list shows it: name, the newest seq, the user's read mark and what is
 * left unread, counted as the platform counts its push badge (`lastSeq - readSeq`). Built from
 * what the platform said (GET /v1/rooms, GET /v1/rooms/{id}) and kept current by what arrives
 * since: delivered messages and Acks raise `lastSeq`; markRead, the user's own receipts (from
 * any of their devices) and the user's own messages (Acks, and messages it sent from any device)
 * raise `readSeq`, as the platform moves a sender's read mark to each message it stores, so one's
 * own messages are never unread; room events change members. Both only ever go up within
 * an epoch, so a late answer can never take an unread count backwards.
 */

export interface RoomSummary {
  id: string;
  /** '' until the platform said. */
  name: string;
  kind: 'group' | 'direct' | undefined;
  /** The newest seq the client knows exists in the room. */
  lastSeq: number;
  /** The highest seq the user has read, on any of their devices. */
  readSeq: number;
  /** `lastSeq - readSeq`, never below 0. */
  unread: number;
  memberVersion: number;
  /** Known once the room was fetched on its own (`refreshRoom`, `watchPresence`, a join or a rename); kept current by membership events. */
  members: string[] | undefined;
}

/** What the client has learned about a room; mutable, owned by the room registry. */
export interface RoomFacts {
  name: string;
  kind: 'group' | 'direct' | undefined;
  lastSeq: number;
  readSeq: number;
  members: Set<string> | undefined;
}

export const emptyFacts = (): RoomFacts => ({ name: '', kind: undefined, lastSeq: 0, readSeq: 0, members: undefined });

export function summarize(id: string, facts: RoomFacts, memberVersion: number): RoomSummary {
  return {
    id,
    name: facts.name,
    kind: facts.kind,
    lastSeq: facts.lastSeq,
    readSeq: facts.readSeq,
    unread: Math.max(facts.lastSeq - facts.readSeq, 0),
    memberVersion,
    members: facts.members === undefined ? undefined : [...facts.members].sort(),
  };
}

/** Field-by-field, members as sorted lists. */
export function sameSummary(a: RoomSummary, b: RoomSummary): boolean {
  const sameMembers =
    a.members === b.members || (a.members?.length === b.members?.length && (a.members ?? []).every((m, i) => m === b.members?.[i]));
  return (
    sameMembers &&
    a.name === b.name &&
    a.kind === b.kind &&
    a.lastSeq === b.lastSeq &&
    a.readSeq === b.readSeq &&
    a.memberVersion === b.memberVersion
  );
}
