/** The variables of the external-broker deployment (README "Running on an external MQTT broker (EMQX)"). */
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../lib/errors.js';
import { loadConfig } from '../../lib/config.js';

function configError(env: Record<string, string>) {
  try {
    loadConfig(env);
  } catch (error) {
    if (isAppError(error)) return error;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

describe('external broker configuration', () => {
  it('reads the shared group, the broker credentials, the hook token and the EMQX API', () => {
    const config = loadConfig({
      BROKER_SHARED_GROUP: 'bridge',
      BROKER_USERNAME: 'chat-service',
      BROKER_PASSWORD: 'pw',
      BROKER_HOOK_TOKEN: 'a-hook-token-of-16+',
      EMQX_API_URL: 'http://emqx1:18083',
      EMQX_API_KEY: 'chat-platform',
      EMQX_API_SECRET: 'secret',
    });
    expect(config).toMatchObject({
      BROKER_SHARED_GROUP: 'bridge',
      BROKER_HOOK_TOKEN: 'a-hook-token-of-16+',
      EMQX_API_URL: 'http://emqx1:18083',
    });
  });

  it('refuses a shared group that would not be one topic level', () => {
    expect(configError({ BROKER_SHARED_GROUP: 'a/b' }).details).toEqual({ variable: 'BROKER_SHARED_GROUP' });
    expect(configError({ BROKER_SHARED_GROUP: '+' }).details).toEqual({ variable: 'BROKER_SHARED_GROUP' });
  });

  it('refuses part of the EMQX management API, naming what is missing', () => {
    expect(configError({ EMQX_API_URL: 'http://emqx1:18083' }).details).toEqual({ variable: 'EMQX_API_KEY' });
    expect(configError({ EMQX_API_URL: 'http://emqx1:18083', EMQX_API_KEY: 'k' }).details).toEqual({ variable: 'EMQX_API_SECRET' });
  });

  it('never shows the hook token in its error', () => {
    const error = configError({ BROKER_HOOK_TOKEN: 'short-hook' });
    expect(error.details).toEqual({ variable: 'BROKER_HOOK_TOKEN' });
    expect(error.message).not.toContain('short-hook');
  });
});
