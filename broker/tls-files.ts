/**
 * The certificate and key of the TLS listeners, read from TLS_CERT_FILE and TLS_KEY_FILE at
 * start-up and again on every reload (SIGHUP), so a renewed certificate is served to new
 * connections without dropping the live ones.
 */
import { readFile } from 'node:fs/promises';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import { AppError } from '../lib/errors.js';

export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

const invalid = (variable: string, message: string, cause: unknown) =>
  new AppError('ERR_CONFIG_INVALID', `invalid configuration: ${message}`, { cause, details: { variable } });

async function read(variable: string, path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (cause) {
    throw invalid(variable, `${variable} = ${JSON.stringify(path)}: ${(cause as Error).message}`, cause);
  }
}

/** Both files, checked by building a context from them (a key that does not match the certificate fails here, not at the first handshake). */
export async function loadTlsCredentials(files: TlsFiles): Promise<SecureContextOptions> {
  const credentials = { cert: await read('TLS_CERT_FILE', files.certFile), key: await read('TLS_KEY_FILE', files.keyFile) };
  try {
    createSecureContext(credentials);
  } catch (cause) {
    throw invalid(
      'TLS_CERT_FILE',
      `TLS_CERT_FILE and TLS_KEY_FILE are not a usable PEM certificate and key: ${(cause as Error).message}`,
      cause,
    );
  }
  return credentials;
}
