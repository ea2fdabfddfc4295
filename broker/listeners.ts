/**
 * The broker's listeners: MQTT over TCP and over WebSocket (path /mqtt), and the same two over
 * TLS when a certificate is configured, all handed to the same Aedes. Each closes what it does
 * not serve (other paths, bad upgrades, garbage, idle or half-finished handshakes) and counts
 * unfinished handshakes against one per-node bound.
 */
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer, type SecureContextOptions, type Server as TlsServer } from 'node:tls';
import type { Aedes } from 'aedes';
import { listenOn } from '../lib/listen.js';
import type { Logger } from '../lib/log.js';
import type { Metrics } from '../lib/metrics.js';
import { createAdmission } from './admission.js';
import type { ReportDisconnect } from './disconnects.js';
import { guardSocket, type ConnectionLimits, type OnDropped } from './frame-guard.js';
import { loadTlsCredentials, type TlsFiles } from './tls-files.js';
import { answerPlainRequest, clientIdOf, createWebSocketUpgrades, mqttHttpServerOptions, remoteOf } from './ws-upgrade.js';

export { MQTT_WS_PATH } from './ws-upgrade.js';

/** Room for the topic, protobuf framing and MQTT headers around a body of the maximum size. */
export const PACKET_OVERHEAD_BYTES = 4096;

/** A port, 0 for a free one, or 'off'. */
export type ListenerPort = number | 'off';
export type ListenerKind = 'mqtt' | 'ws' | 'mqtts' | 'wss';

export interface ListenerOptions {
  host: string;
  ports: Record<ListenerKind, ListenerPort>;
  /** Without it the TLS listeners (mqtts, wss) stay off. */
  tls: TlsFiles | undefined;
  maxPayloadBytes: number;
  maxOutgoingBytes: number;
  connectTimeoutMs: number;
  maxPendingConnects: number;
}

export interface Listeners {
  /** The bound port of every listener that is on. */
  readonly ports: Partial<Record<ListenerKind, number>>;
  /** Re-reads the certificate files for new TLS connections; live ones keep theirs. Throws (and keeps the old) when the files are unusable. */
  reloadTls(): Promise<void>;
  /**
   * Serves an HTTP Upgrade that arrived on another server (the API's port) exactly as the
   * WebSocket listener would: /mqtt becomes an MQTT connection (counted against the
   * pending-handshake bound until its CONNECT is accepted), any other path is answered 404 and closed.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): Promise<void>;
}

const VARIABLE: Record<ListenerKind, string> = { mqtt: 'MQTT_PORT', ws: 'WS_PORT', mqtts: 'MQTTS_PORT', wss: 'WSS_PORT' };

export async function startListeners(
  aedes: Aedes,
  options: ListenerOptions,
  deps: { log: Logger; metrics: Metrics; reportDisconnect: ReportDisconnect },
): Promise<Listeners> {
  const limits: ConnectionLimits = {
    maxPacketBytes: options.maxPayloadBytes + PACKET_OVERHEAD_BYTES,
    maxOutgoingBytes: options.maxOutgoingBytes,
  };
  const admission = createAdmission(aedes, { maxPending: options.maxPendingConnects }, deps);
  // One function for every TCP connection; the peer's address is read only when one is cut.
  const reportDrop: OnDropped = (reason, socket) =>
    deps.reportDisconnect(reason, { clientId: clientIdOf(socket), remote: remoteOf(socket), transport: 'tcp', ...limits });
  const handleMqtt = (socket: Socket) => {
    guardSocket(socket, limits, reportDrop);
    admission.handOver(socket, socket);
    aedes.handle(socket);
  };
  const upgrades = createWebSocketUpgrades(
    { limits, connectTimeoutMs: options.connectTimeoutMs },
    {
      reportDisconnect: deps.reportDisconnect,
      onConnection(connection, socket, req) {
        admission.handOver(connection, socket);
        aedes.handle(connection, req);
      },
    },
  );
  const tls = await createTlsListeners(options);
  const httpOptions = mqttHttpServerOptions(options.connectTimeoutMs);
  const makers: Record<ListenerKind, () => TcpServer> = {
    // Nagle off on every accepted socket (the broker's packets are small and wanted at once), set
    // by the server as it accepts: a setNoDelay call per socket cost about 2 % of a CONNECT.
    mqtt: () => createTcpServer({ noDelay: true }, handleMqtt),
    ws: () => upgrades.serve(createHttpServer(httpOptions, answerPlainRequest)),
    mqtts: () => tls.track(createTlsServer({ ...tls.serverOptions(), noDelay: true }, handleMqtt)),
    wss: () => tls.track(upgrades.serve(createHttpsServer({ ...tls.serverOptions(), ...httpOptions }, answerPlainRequest))),
  };

  const started: { kind: ListenerKind; server: TcpServer; port: number }[] = [];
  const close = async () => {
    upgrades.terminateAll();
    admission.destroyAll();
    await Promise.all(started.map(({ server }) => new Promise<void>((resolve) => server.close(() => resolve()))));
  };
  const isOn = (kind: ListenerKind) => options.ports[kind] !== 'off' && (tls.isConfigured || (kind !== 'mqtts' && kind !== 'wss'));
  for (const kind of (Object.keys(makers) as ListenerKind[]).filter(isOn)) {
    const server = makers[kind]();
    admission.watch(server);
    try {
      started.push({ kind, server, port: await listenOn(server, options.ports[kind] as number, options.host, VARIABLE[kind]) });
    } catch (error) {
      await close();
      throw error;
    }
  }
  return {
    ports: Object.fromEntries(started.map(({ kind, port }) => [kind, port])),
    async reloadTls() {
      await tls.reload();
      if (options.tls !== undefined) deps.log.info({ certFile: options.tls.certFile }, 'TLS certificate reloaded');
    },
    handleUpgrade(req, socket, head) {
      if (!admission.admit(socket as Socket)) return void socket.destroy();
      upgrades.handleUpgrade(req, socket, head);
    },
    close,
  };
}

/** The TLS listeners' credentials, given to each TLS server made and swapped in all of them on reload. */
async function createTlsListeners(options: ListenerOptions) {
  let credentials: SecureContextOptions | undefined = options.tls === undefined ? undefined : await loadTlsCredentials(options.tls);
  const servers: TlsServer[] = [];
  return {
    isConfigured: credentials !== undefined,
    serverOptions: () => ({ ...credentials, handshakeTimeout: options.connectTimeoutMs }),
    track<S extends TlsServer>(server: S): S {
      servers.push(server);
      return server;
    },
    async reload() {
      if (options.tls === undefined) return;
      credentials = await loadTlsCredentials(options.tls);
      for (const server of servers) server.setSecureContext(credentials);
    },
  };
}
