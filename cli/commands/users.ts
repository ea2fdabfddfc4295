/** `chatctl users create | list | show | delete`. */
import type { Command } from 'commander';
import { id, oneOf, positiveInteger } from '../arguments.js';
import type { Context } from '../context.js';
import { keyValues, table } from '../output.js';
import { listPages, pageFooter } from '../pages.js';

interface UserView {
  id: string;
  name: string;
  createdAt: string;
  deletedAt: string | null;
  rooms: number;
}

const userLines = (user: UserView) =>
  keyValues([
    ['id', user.id],
    ['name', user.name],
    ['rooms', user.rooms],
    ['created', user.createdAt],
    ['deleted', user.deletedAt],
  ]);

export function userCommands(program: Command, context: (command: Command) => Context): void {
  const users = program.command('users').description('create, list, show and delete users');

  users
    .command('create')
    .description('create a user; prints its id')
    .argument('<name>', 'display name')
    .action(async (name: string, _options, command: Command) => {
      const { api, out } = context(command);
      const user = await api().call<{ id: string; name: string }>('POST', '/v1/users', { name });
      out.result(user, () =>
        keyValues([
          ['id', user.id],
          ['name', user.name],
        ]),
      );
    });

  users
    .command('list')
    .description('users in id order, a page at a time')
    .option('--prefix <text>', 'names starting with this (any case)')
    .option('--deleted <which>', 'exclude | include | only deleted users', oneOf('exclude', 'include', 'only'), 'exclude')
    .option('--limit <n>', 'users per page (at most 500)', positiveInteger, 100)
    .option('--after <userId>', 'the page after this user id (the previous page says it)', id)
    .option('--all', 'every page')
    .action(async (options: { prefix?: string; deleted: string; limit: number; after?: string; all?: boolean }, command: Command) => {
      const { api, out } = context(command);
      const { prefix, deleted, limit, after } = options;
      const page = await listPages<UserView>(api(), '/v1/admin/users', { prefix, deleted, limit, after }, 'users', options.all === true);
      out.result({ users: page.items, nextAfter: page.nextAfter, total: page.total }, () => [
        ...table(
          ['id', 'name', 'rooms', 'created', 'deleted'],
          page.items.map((u) => [u.id, u.name, u.rooms, u.createdAt, u.deletedAt]),
        ),
        pageFooter(page, 'users'),
      ]);
    });

  users
    .command('show')
    .description('one user (deleted ones too)')
    .argument('<userId>', 'user id', id)
    .action(async (userId: string, _options, command: Command) => {
      const { api, out } = context(command);
      const user = await api().call<UserView>('GET', `/v1/admin/users/${userId}`);
      out.result(user, () => userLines(user));
    });

  users
    .command('delete')
    .description(
      'delete a user: its devices are disconnected and its tokens refused, it leaves every room, its push tokens and keys ' +
        'are deleted; its messages stay in the rooms under its id',
    )
    .argument('<userId>', 'user id', id)
    .action(async (userId: string, _options, command: Command) => {
      const { api, out } = context(command);
      const deletion = await api().call<Record<string, string | number | boolean>>('DELETE', `/v1/admin/users/${userId}`);
      out.result(deletion, () =>
        keyValues([
          ['id', deletion['id']],
          ['deleted', deletion['deletedAt']],
          ['rooms left', deletion['roomsLeft']],
          ['push tokens deleted', deletion['pushTokensDeleted']],
          ['key devices deleted', deletion['keyDevicesDeleted']],
          ...(deletion['deletedNow'] === false ? [['note', 'was deleted already'] as const] : []),
        ]),
      );
    });
}
