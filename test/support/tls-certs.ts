/**
 * Certificates for tests, made by the `openssl` command line (never assembled by hand): a test CA
 * that issues server certificates, and self-signed certificates. EC P-256 keys, valid from now
 * for two days, with the given hosts (IP addresses and DNS names) as subject alternative names.
 */
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { promisify } from 'node:util';

const run = promisify(execFile);
const DEFAULT_HOSTS = ['127.0.0.1', 'localhost'];
const NEW_EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export interface Certificate {
  certPem: string;
  keyPem: string;
}

export interface TestCa {
  /** The CA certificate: what a client is told to trust. */
  certPem: string;
  /** A server certificate for `hosts`, signed by this CA. */
  issue(hosts?: string[]): Promise<Certificate>;
}

const subjectAltName = (hosts: string[]) => hosts.map((h) => (isIP(h) === 0 ? `DNS:${h}` : `IP:${h}`)).join(',');

async function inTempDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'test-tls-'));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function readPair(dir: string, name: string): Promise<Certificate> {
  return { certPem: await readFile(join(dir, `${name}.pem`), 'utf8'), keyPem: await readFile(join(dir, `${name}.key`), 'utf8') };
}

/** A self-signed certificate for `hosts`: a client trusts it by passing `certPem` as its CA. */
export function createSelfSignedCertificate(hosts: string[] = DEFAULT_HOSTS): Promise<Certificate> {
  return inTempDir(async (dir) => {
    await run('openssl', [
      'req',
      '-x509',
      ...NEW_EC_KEY,
      '-days',
      '2',
      '-subj',
      `/CN=${hosts[0] ?? 'test'}`,
      '-addext',
      `subjectAltName=${subjectAltName(hosts)}`,
      '-keyout',
      join(dir, 'self.key'),
      '-out',
      join(dir, 'self.pem'),
    ]);
    return readPair(dir, 'self');
  });
}

export async function createTestCa(name = 'platform test CA'): Promise<TestCa> {
  const ca = await inTempDir(async (dir) => {
    await run('openssl', [
      'req',
      '-x509',
      ...NEW_EC_KEY,
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-keyout',
      join(dir, 'ca.key'),
      '-out',
      join(dir, 'ca.pem'),
    ]);
    return readPair(dir, 'ca');
  });
  return {
    certPem: ca.certPem,
    issue: (hosts = DEFAULT_HOSTS) =>
      inTempDir(async (dir) => {
        await writeFile(join(dir, 'ca.pem'), ca.certPem);
        await writeFile(join(dir, 'ca.key'), ca.keyPem, { mode: 0o600 });
        await writeFile(
          join(dir, 'server.ext'),
          `subjectAltName=${subjectAltName(hosts)}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`,
        );
        await run('openssl', [
          'req',
          '-new',
          ...NEW_EC_KEY,
          '-subj',
          `/CN=${hosts[0] ?? 'server'}`,
          '-keyout',
          join(dir, 'server.key'),
          '-out',
          join(dir, 'server.csr'),
        ]);
        await run('openssl', [
          'x509',
          '-req',
          '-in',
          join(dir, 'server.csr'),
          '-CA',
          join(dir, 'ca.pem'),
          '-CAkey',
          join(dir, 'ca.key'),
          '-CAcreateserial',
          '-days',
          '2',
          '-extfile',
          join(dir, 'server.ext'),
          '-out',
          join(dir, 'server.pem'),
        ]);
        return readPair(dir, 'server');
      }),
  };
}

/** The SHA-256 fingerprint of the certificate a TLS listener (`mqtts://`, `wss://`, …) presents to a new connection now. */
export async function fingerprintServedAt(url: string): Promise<string> {
  const { hostname, port } = new URL(url);
  const socket = tlsConnect({ host: hostname, port: Number(port), rejectUnauthorized: false });
  try {
    await once(socket, 'secureConnect');
    return socket.getPeerX509Certificate()!.fingerprint256;
  } finally {
    socket.destroy();
  }
}
