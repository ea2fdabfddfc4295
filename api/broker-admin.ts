/**
 * What the API asks of an external broker's management side: with no broker of our own in the
 * way (no forward guard), a removed member's open subscriptions keep delivering the room until
 * the broker drops them. Disconnecting the user's clients makes them reconnect and subscribe
 * again, and the authorisation endpoint then refuses the room (docs/architecture.md#on-an-external-mqtt-broker).
 */
export interface BrokerAdmin {
  /** Disconnects every MQTT client of `userId`; resolves with how many there were. Throws BrokerAdminError when the broker cannot be told. */
  disconnectUser(userId: string): Promise<number>;
}

export class BrokerAdminError extends Error {
  readonly code = 'ERR_BROKER_ADMIN_FAILED';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BrokerAdminError';
  }
}
