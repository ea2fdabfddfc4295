/**
 * What the broker hands on, and to whom: the sinks are attached once, when the broker starts
 * listening (`broker.listen(sinks)`), by whoever composes the process (platform/). The broker
 * imports none of them: it knows only these shapes.
 */

/** A device, as authenticated at CONNECT. */
export interface DeviceRef {
  userId: string;
  deviceId: string;
}

/** A device's send, raw; Aedes writes the PUBACK once the returned promise settles (committed or answered). */
export type SendSink = (sender: DeviceRef, payload: Uint8Array) => Promise<unknown>;
/** A read receipt, stamped with its reader and clamped to the room's last seq. */
export type ReceiptSink = (mark: { roomId: string; userId: string; readSeq: number }) => void;
/** A device acknowledged (PUBACK) the room Message with this seq. */
export type DeliverySink = (mark: { roomId: string; userId: string; deliveredSeq: number }) => void;

export interface BrokerSinks {
  /**
   * Every device send, before its PUBACK: with the in-process send pipeline here, a PUBACK means
   * committed. Without it a send is an ordinary publish, for a bridge subscribed over MQTT.
   */
  send?: SendSink;
  /** Every relayed read receipt (the platform keeps the maximum per room and user). */
  receipt?: ReceiptSink;
  /** Every PUBACK of a room Message by a device (the push worker's evidence); without it, none are tracked. */
  delivery?: DeliverySink;
}
