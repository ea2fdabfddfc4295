import type { Server } from 'node:net';
import { AppError } from './errors.js';

/**
 * Starts a listener and resolves with the bound port. A port already in use becomes one
 * clear error naming the variable to change, instead of an EADDRINUSE stack.
 */
export function listenOn(server: Server, port: number, host: string, variable: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (cause: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      const message =
        cause.code === 'EADDRINUSE'
          ? `port ${port} on ${host} is already in use: set ${variable} to a free port (0 picks one)`
          : `cannot listen on ${host}:${port} (${variable}): ${cause.message}`;
      reject(new AppError('ERR_CONFIG_PORT_UNAVAILABLE', message, { cause, details: { variable } }));
    };
    const onListening = () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}
