/**
 * A self-signed X.509 certificate (EC P-256, ECDSA-SHA256) for a stub served over TLS, built with
 * node:crypto alone: Node can sign but not issue certificates, so the DER is assembled here
 * (RFC 5280 §4.1). The client trusts it by passing `certPem` as its `ca`.
 */
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { isIP } from 'node:net';

export interface SelfSignedCertificate {
  keyPem: string;
  certPem: string;
}

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  basicConstraints: '2.5.29.19',
  subjectAltName: '2.5.29.17',
};
const DAY_MS = 24 * 3600_000;

/** Valid from a day ago for `validDays` days, for `hosts` (IP addresses and DNS names) as subject alternative names. */
export function createSelfSignedCertificate(options: { hosts?: string[]; validDays?: number; nowMs?: number } = {}): SelfSignedCertificate {
  const hosts = options.hosts ?? ['127.0.0.1', 'localhost'];
  const nowMs = options.nowMs ?? Date.now();
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const name = seq(set(seq(oid(OID.commonName), tlv(0x0c, Buffer.from(hosts[0] ?? 'stub')))));
  const algorithm = seq(oid(OID.ecdsaWithSha256));
  const altNames = hosts.map((host) =>
    isIP(host) === 4 ? tlv(0x87, Buffer.from(host.split('.').map(Number))) : tlv(0x82, Buffer.from(host)),
  );
  const extensions = tlv(
    0xa3,
    seq(
      seq(oid(OID.basicConstraints), tlv(0x01, Buffer.from([0xff])), tlv(0x04, seq(tlv(0x01, Buffer.from([0xff]))))),
      seq(oid(OID.subjectAltName), tlv(0x04, seq(...altNames))),
    ),
  );
  const tbs = seq(
    tlv(0xa0, integer(Buffer.from([2]))), // v3
    integer(randomBytes(16)),
    algorithm,
    name,
    seq(utcTime(nowMs - DAY_MS), utcTime(nowMs + (options.validDays ?? 365) * DAY_MS)),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    extensions,
  );
  const signature = sign('sha256', tbs, privateKey);
  const der = seq(tbs, algorithm, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return {
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    certPem: `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`,
  };
}

function tlv(tag: number, content: Buffer): Buffer {
  const length = content.length;
  const lengthBytes = length < 0x80 ? Buffer.from([length]) : lengthInLongForm(length);
  return Buffer.concat([Buffer.from([tag]), lengthBytes, content]);
}

function lengthInLongForm(length: number): Buffer {
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const seq = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));

/** A non-negative INTEGER: a leading zero keeps a high first bit from reading as negative. */
function integer(bytes: Buffer): Buffer {
  return tlv(0x02, bytes[0]! >= 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

function oid(dotted: string): Buffer {
  const [first, second, ...rest] = dotted.split('.').map(Number);
  const body = [40 * first! + second!];
  for (const arc of rest) {
    const base128: number[] = [];
    for (let value = arc; ; value = Math.floor(value / 128)) {
      base128.unshift((value % 128) | (base128.length === 0 ? 0 : 0x80));
      if (value < 128) break;
    }
    body.push(...base128);
  }
  return tlv(0x06, Buffer.from(body));
}

/** UTCTime `YYMMDDHHMMSSZ`, valid for years up to 2049 (RFC 5280 §4.1.2.5). */
function utcTime(atMs: number): Buffer {
  const iso = new Date(atMs).toISOString();
  const digits = iso.slice(2, 4) + iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) + iso.slice(14, 16) + iso.slice(17, 19);
  return tlv(0x17, Buffer.from(`${digits}Z`));
}
