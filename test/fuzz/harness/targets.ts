/**
 * The four fuzz targets behind one interface: generate case `index` from its seed, run it on a
 * session's platform. Adding a target is one entry here.
 */
import { generateMqttStream } from '../generators/mqtt-streams.js';
import type { Operation } from '../generators/openapi.js';
import { generateProtoCase } from '../generators/proto-cases.js';
import { caseRandom } from '../generators/random.js';
import { generateRestCase } from '../generators/rest-cases.js';
import { generateWsCase } from '../generators/ws-cases.js';
import type { GeneratorContext } from '../generators/world.js';
import type { CaseResult } from './case-result.js';
import { runMqttCase } from './mqtt-driver.js';
import type { LaneClient } from './proto-driver.js';
import type { PlatformPorts } from './platform.js';
import { runRestCase } from './rest-driver.js';
import { runWsCase } from './ws-driver.js';

export const TARGETS = ['mqtt', 'ws', 'proto', 'rest'] as const;
export type TargetName = (typeof TARGETS)[number];

/** What a case runs against: the platform's ports, the route list, and the proto lanes' clients. */
export interface CaseEnvironment {
  ports: PlatformPorts;
  context: GeneratorContext;
  operations: readonly Operation[];
  laneClients: readonly LaneClient[];
  waitMs: number;
}

export interface PreparedCase {
  /** Set when the case exercises a known defect this run leaves out: it is skipped, and counted. */
  knownDefect?: string;
  run(environment: CaseEnvironment): Promise<CaseResult>;
  /** A one-line description for a finding's report. */
  describe(): string;
}

/** The role says which credential went; the token itself is noise in a report. */
const withoutCredentials = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => name !== 'authorization'));

const hex = (bytes: Buffer, max = 48) =>
  `${bytes.subarray(0, max).toString('hex')}${bytes.length > max ? `… (${bytes.length} bytes)` : ''}`;

export function prepareCase(
  target: TargetName,
  seed: number,
  index: number,
  context: GeneratorContext,
  operations: readonly Operation[],
): PreparedCase {
  const random = caseRandom(seed, target, index);
  switch (target) {
    case 'mqtt': {
      const c = generateMqttStream(random, context, index);
      return {
        run: (env) => runMqttCase(env.ports.mqtt, env.context.world, c, env.waitMs),
        describe: () =>
          `${c.shape} MQTT ${c.version}${c.authenticate ? ' after CONNECT' : ''}, ${c.pieces.length} writes, ${c.ending}: ${hex(Buffer.concat(c.pieces))}`,
      };
    }
    case 'ws': {
      const c = generateWsCase(random, context, index);
      return {
        run: (env) => runWsCase(env.ports.ws, env.context, c, env.waitMs),
        describe: () =>
          `${c.handshakeKind} handshake, ${c.framing} frames${c.authenticate ? ' after CONNECT' : ''}, ${c.ending}: ${JSON.stringify(c.request.toString('latin1').split('\r\n')[0])} then ${hex(Buffer.concat(c.writes))}`,
      };
    }
    case 'proto': {
      const c = generateProtoCase(random, context, index);
      return {
        ...(c.knownDefect === undefined ? {} : { knownDefect: c.knownDefect }),
        run: (env) => env.laneClients[c.lane]!.publish(c),
        describe: () => `${c.shape} payload on ${c.topic} (QoS ${c.qos}${c.retain ? ', retained' : ''}): ${hex(c.payload)}`,
      };
    }
    case 'rest': {
      const c = generateRestCase(random, context, index, operations);
      return {
        run: (env) => runRestCase(env.ports.api, c, env.waitMs),
        describe: () =>
          c.kind === 'raw'
            ? `raw request for ${c.operation}: ${JSON.stringify(c.bytes.subarray(0, 160).toString('latin1'))}`
            : `${c.method} ${c.target.slice(0, 160)} as ${c.role}, headers ${JSON.stringify(withoutCredentials(c.headers)).slice(0, 200)}, body ${JSON.stringify((c.body ?? '').slice(0, 160))}`,
      };
    }
  }
}
