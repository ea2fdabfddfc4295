/**
 * docker-compose.cluster.yml (3 EMQX nodes, 2 bridges, the API, PostgreSQL) cannot be started
 * here, so it is checked for what would break it silently: every variable it sets for our
 * services must exist in lib/config.ts's schema and, with the secrets given, pass validation;
 * EMQX must call the endpoints the API serves with the body templates the hook tests use.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BROKER_HOOK_PATHS } from '../../api/index.js';
import { ConfigSchema, loadConfig } from '../../lib/config.js';
import { EMQX_AUTHN_BODY, EMQX_AUTHZ_BODY } from '../support/external-broker-api.js';

interface Service {
  build?: string;
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
}

const FILE = fileURLToPath(new URL('../../docker-compose.cluster.yml', import.meta.url));
const compose = parse(readFileSync(FILE, 'utf8'), { merge: true }) as { services: Record<string, Service> };
const ours = Object.entries(compose.services).filter(([, service]) => service.build === '.');
const emqxNodes = Object.entries(compose.services).filter(([, service]) => service.image?.startsWith('emqx/emqx:') === true);

/** What docker compose makes of `${VAR}`, `${VAR:-default}` and `${VAR:?message}`, with every secret given. */
const SECRETS: Record<string, string> = {
  JWT_SECRET: 'a-jwt-secret-of-at-least-32-characters',
  ADMIN_TOKEN: 'an-admin-token-16+',
  BROKER_HOOK_TOKEN: 'a-broker-hook-token',
  EMQX_API_SECRET: 'an-emqx-api-secret',
};
const interpolate = (value: string): string =>
  value.replace(
    /(?<!\$)\$\{(\w+)(?::([-?])([^}]*))?\}/g,
    (_, name: string, kind?: string, rest?: string) => SECRETS[name] ?? (kind === '-' ? (rest ?? '') : `<${name}>`),
  );

describe('docker-compose.cluster.yml', () => {
  it('runs 3 EMQX nodes, the API and 2 bridges sharing the sends', () => {
    expect(emqxNodes).toHaveLength(3);
    expect(ours.map(([, service]) => service.command?.join(' ')).sort()).toEqual(['npm run api', 'npm run bridge', 'npm run bridge']);
    const bridges = ours.filter(([, service]) => service.command?.includes('bridge'));
    for (const [, bridge] of bridges) expect(bridge.environment?.['BROKER_SHARED_GROUP']).toBe('bridge');
  });

  it("sets only variables that exist in lib/config.ts's schema for our services, and they validate", () => {
    const known = new Set(Object.keys(ConfigSchema.properties));
    for (const [name, service] of ours) {
      const environment = service.environment ?? {};
      expect(
        Object.keys(environment).filter((variable) => !known.has(variable)),
        name,
      ).toEqual([]);
      const env = Object.fromEntries(Object.entries(environment).map(([key, value]) => [key, interpolate(String(value))]));
      expect(() => loadConfig(env), name).not.toThrow();
    }
  });

  it('has every EMQX node call the API endpoints with the body templates the hook tests send', () => {
    const api = Object.entries(compose.services).find(([, service]) => service.command?.join(' ') === 'npm run api')!;
    const apiUrl = `http://${api[0]}:${api[1].environment?.['API_PORT']}`;
    // In the file `$${x}` is the literal `${x}` EMQX receives.
    const hocon = (template: Record<string, string>) =>
      `{${Object.entries(template)
        .map(([key, value]) => `${key} = "${value.replace('${', () => '$${')}"`)
        .join(', ')}}`;
    for (const [name, node] of emqxNodes) {
      const env = node.environment ?? {};
      expect(env['EMQX_AUTHENTICATION'], name).toContain(`url = "${apiUrl}${BROKER_HOOK_PATHS.authn}"`);
      expect(env['EMQX_AUTHENTICATION'], name).toContain(`body = ${hocon(EMQX_AUTHN_BODY)}`);
      expect(env['EMQX_AUTHORIZATION__SOURCES'], name).toContain(`url = "${apiUrl}${BROKER_HOOK_PATHS.authz}"`);
      expect(env['EMQX_AUTHORIZATION__SOURCES'], name).toContain(`body = ${hocon(EMQX_AUTHZ_BODY)}`);
      expect(env['EMQX_AUTHORIZATION__NO_MATCH'], name).toBe('deny');
      expect(env['EMQX_CONNECTORS__HTTP__CHAT_API__URL'], name).toBe(apiUrl);
      expect(env['EMQX_ACTIONS__HTTP__CHAT_PRESENCE__PARAMETERS__PATH'], name).toBe(BROKER_HOOK_PATHS.events);
      expect(env['EMQX_NODE__NAME'], name).toMatch(/^emqx@node\d\.emqx\.io$/);
    }
  });
});
