/**
 * /metrics for a process without an HTTP API of its own (`npm run broker`, `npm run bridge`): a
 * plain HTTP listener that answers GET /metrics with the registry's text exposition and 404 to
 * anything else. The all-in-one platform and `npm run api` serve /metrics on API_PORT instead.
 */
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import { listenOn } from './listen.js';

export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startMetricsServer(
  registry: Registry,
  options: { port: number; host: string; variable: string },
): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' || path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${(error as Error).message}\n`),
    );
  });
  // A scraper's idle keep-alive connection must not hold up close().
  server.keepAliveTimeout = 5_000;
  const port = await listenOn(server, options.port, options.host, options.variable);
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
