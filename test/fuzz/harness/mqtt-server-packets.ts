/** The MQTT packets a server sent, read leniently from the bytes a fuzz client received. */
import mqttPacket from 'mqtt-packet';

export interface ServerPackets {
  connackCode: number | undefined;
  pingresp: boolean;
}

export function readServerPackets(bytes: Buffer): ServerPackets {
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  const seen: ServerPackets = { connackCode: undefined, pingresp: false };
  parser.on('packet', (packet) => {
    if (packet.cmd === 'connack') seen.connackCode ??= packet.returnCode ?? packet.reasonCode;
    if (packet.cmd === 'pingresp') seen.pingresp = true;
  });
  parser.on('error', () => undefined);
  parser.parse(bytes);
  return seen;
}
