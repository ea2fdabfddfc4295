/**
 * Two cross-wired in-memory duplex streams: what one side writes, the other reads. An MQTT
 * client inside the process talks to the embedded broker through a pair instead of a socket.
 * Ending one side ends the other's readable side; destroying one destroys both.
 */
import { Duplex } from 'node:stream';

export function createDuplexPair(): [Duplex, Duplex] {
  const sides: Duplex[] = [];
  const peerOf = (index: number): Duplex => sides[1 - index]!;
  const makeSide = (index: number): Duplex =>
    new Duplex({
      // The peer pushes as it writes; nothing to fetch on demand.
      read() {},
      write(chunk: Buffer, _encoding, done) {
        if (!peerOf(index).destroyed) peerOf(index).push(chunk);
        done();
      },
      final(done) {
        if (!peerOf(index).destroyed) peerOf(index).push(null);
        done();
      },
      destroy(error, done) {
        peerOf(index).destroy();
        done(error);
      },
    });
  sides.push(makeSide(0), makeSide(1));
  return [sides[0]!, sides[1]!];
}
