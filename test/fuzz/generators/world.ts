/**
 * What the generators may aim at: the ids and credentials of the fuzz run's own users and rooms
 * (never the canary's, so no generated request can remove the canary from its room). The
 * harness provisions them on the platform under test; generators only read them.
 */
export interface FuzzDevice {
  userId: string;
  deviceId: string;
  token: string;
}

export interface FuzzWorld {
  /** The hostile user: one device per lane, so concurrent cases never take over each other's client id. */
  attackerDevices: readonly FuzzDevice[];
  /** A member of the fuzz room who behaves: its sends must be acked whatever the attacker does. */
  peer: FuzzDevice;
  /** The room attacker and peer share. */
  roomId: string;
  roomVersion: number;
  /** A valid id no room or user has. */
  unknownId: string;
  adminToken: string;
  /** A token the platform signed whose exp has passed. */
  expiredToken: string;
}

/** The device a case runs as: lane `index mod lanes`, fixed per case so a replay uses the same one. */
export const laneDevice = (world: FuzzWorld, index: number): FuzzDevice => world.attackerDevices[index % world.attackerDevices.length]!;

/**
 * Known defects of issue 9 that the fuzzer finds on today's code. Each is generated only when
 * asked for, so a CI run stays green until the fix lands, and the lead turns it on then.
 * - `nul-text`: NUL (U+0000) in a text field that reaches the database (a Send's content_type
 *   or client-visible strings, REST body and query strings): the batch transaction aborts and
 *   honest neighbours are refused, REST answers 500.
 * - `ws-upgrade-path`: an HTTP Upgrade for a path other than /mqtt leaves its socket open forever.
 * - `int-range`: an integer query or header value no database column holds (`before=1e400`,
 *   `If-Match: "99999999999999999999"`) passes validation and is answered 500; issue 9 asks
 *   for 400 ("integer query and header values range-checked").
 */
export const KNOWN_DEFECTS = ['nul-text', 'ws-upgrade-path', 'int-range'] as const;
export type KnownDefect = (typeof KNOWN_DEFECTS)[number];

export interface GeneratorContext {
  world: FuzzWorld;
  knownDefects: ReadonlySet<KnownDefect>;
}
