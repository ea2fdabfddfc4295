/**
 * What publishes to devices on the platform's behalf (Messages, Acks and Nacks, RoomEvents): the
 * broker itself in-process, or an MQTT client of the broker in a split deployment.
 */
export interface Publisher {
  publish(topic: string, payload: Uint8Array, options: { qos: 0 | 1 }): Promise<void>;
}
