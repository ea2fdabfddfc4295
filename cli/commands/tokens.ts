/** `chatctl tokens issue | revoke`. */
import type { Command } from 'commander';
import { id } from '../arguments.js';
import type { Context } from '../context.js';
import { keyValues } from '../output.js';

export function tokenCommands(program: Command, context: (command: Command) => Context): void {
  const tokens = program.command('tokens').description("issue and revoke devices' tokens");

  tokens
    .command('issue')
    .description('issue a device token (MQTT username = userId, password = token, client id = userId:deviceId)')
    .argument('<userId>', 'user id', id)
    .argument('<deviceId>', 'device id', id)
    .action(async (userId: string, deviceId: string, _options, command: Command) => {
      const { api, out } = context(command);
      const issued = await api().call<{ token: string; expiresAt: string }>('POST', '/v1/tokens', { userId, deviceId });
      out.result(issued, () =>
        keyValues([
          ['token', issued.token],
          ['expires', issued.expiresAt],
        ]),
      );
    });

  tokens
    .command('revoke')
    .description("revoke a device's tokens (all the user's devices without deviceId): disconnected at once; a token issued later works")
    .argument('<userId>', 'user id', id)
    .argument('[deviceId]', 'device id (default: every device of the user)', id)
    .action(async (userId: string, deviceId: string | undefined, _options, command: Command) => {
      const { api, out } = context(command);
      const body = deviceId === undefined ? { userId } : { userId, deviceId };
      const revoked = await api().call<{ userId: string; deviceId: string | null; notBefore: string }>(
        'POST',
        '/v1/admin/revocations',
        body,
      );
      out.result(revoked, () =>
        keyValues([
          ['user', revoked.userId],
          ['device', revoked.deviceId ?? 'every device'],
          ['refused if issued before', revoked.notBefore],
        ]),
      );
    });
}
