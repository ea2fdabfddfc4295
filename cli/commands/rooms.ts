/** `chatctl rooms create | list | show` and `chatctl members add | remove`. */
import type { Command } from 'commander';
import { id, oneOf, positiveInteger } from '../arguments.js';
import type { Context } from '../context.js';
import { keyValues, table } from '../output.js';
import { listPages, pageFooter } from '../pages.js';

interface RoomRow {
  id: string;
  kind: string;
  name: string;
  memberCount: number;
  lastSeq: number;
  encrypted: boolean;
}

interface RoomDetail extends Omit<RoomRow, 'memberCount'> {
  description: string;
  epoch: number;
  memberVersion: number;
  members: string[];
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, id(value)];

export function roomCommands(program: Command, context: (command: Command) => Context): void {
  const rooms = program.command('rooms').description('create, list and show rooms');

  rooms
    .command('create')
    .description('create a room; prints its id')
    .argument('<name>', 'room name')
    .option('--kind <kind>', 'group | direct (exactly two members)', oneOf('group', 'direct'), 'group')
    .option('-m, --member <userId>', 'a member (repeat for more)', collect)
    .option('--description <text>', 'what the room is for')
    .option('--encrypted', 'end-to-end encrypted: the platform never reads bodies')
    .action(
      async (name: string, options: { kind: string; member?: string[]; description?: string; encrypted?: boolean }, command: Command) => {
        const { api, out } = context(command);
        const body = {
          name,
          kind: options.kind,
          members: options.member ?? [],
          ...(options.description === undefined ? {} : { description: options.description }),
          ...(options.encrypted === true ? { encrypted: true } : {}),
        };
        const room = await api().call<{ id: string; memberVersion: number; epoch: number }>('POST', '/v1/rooms', body);
        out.result(room, () =>
          keyValues([
            ['id', room.id],
            ['memberVersion', room.memberVersion],
          ]),
        );
      },
    );

  rooms
    .command('list')
    .description('every room in id order, a page at a time')
    .option('--prefix <text>', 'names starting with this (any case)')
    .option('--kind <kind>', 'group | direct', oneOf('group', 'direct'))
    .option('--member <userId>', 'rooms of this user', id)
    .option('--limit <n>', 'rooms per page (at most 500)', positiveInteger, 100)
    .option('--after <roomId>', 'the page after this room id (the previous page says it)', id)
    .option('--all', 'every page')
    .action(
      async (
        options: { prefix?: string; kind?: string; member?: string; limit: number; after?: string; all?: boolean },
        command: Command,
      ) => {
        const { api, out } = context(command);
        const { prefix, kind, member, limit, after } = options;
        const query = { prefix, kind, member, limit, after };
        const page = await listPages<RoomRow>(api(), '/v1/admin/rooms', query, 'rooms', options.all === true);
        out.result({ rooms: page.items, nextAfter: page.nextAfter, total: page.total }, () => [
          ...table(
            ['id', 'kind', 'members', 'messages', 'encrypted', 'name'],
            page.items.map((r) => [r.id, r.kind, r.memberCount, r.lastSeq, r.encrypted ? 'yes' : 'no', r.name]),
          ),
          pageFooter(page, 'rooms'),
        ]);
      },
    );

  rooms
    .command('show')
    .description('one room with its members')
    .argument('<roomId>', 'room id', id)
    .action(async (roomId: string, _options, command: Command) => {
      const { api, out } = context(command);
      const room = await api().call<RoomDetail>('GET', `/v1/rooms/${roomId}`);
      out.result(room, () =>
        keyValues([
          ['id', room.id],
          ['name', room.name],
          ['kind', room.kind],
          ['description', room.description],
          ['encrypted', room.encrypted ? 'yes' : 'no'],
          ['messages', room.lastSeq],
          ['epoch', room.epoch],
          ['memberVersion', room.memberVersion],
          ['members', room.members.join(', ')],
        ]),
      );
    });

  const members = program.command('members').description('add and remove room members');
  for (const [verb, method, summary] of [
    ['add', 'POST', 'add a user to a room (its devices hear it on their inbox)'],
    ['remove', 'DELETE', 'remove a user from a room: it stops receiving at once'],
  ] as const) {
    members
      .command(verb)
      .description(summary)
      .argument('<roomId>', 'room id', id)
      .argument('<userId>', 'user id', id)
      .action(async (roomId: string, userId: string, _options, command: Command) => {
        const { api, out } = context(command);
        const change =
          method === 'POST'
            ? await api().call<{ memberVersion: number; changed: boolean }>('POST', `/v1/rooms/${roomId}/members`, { userId })
            : await api().call<{ memberVersion: number; changed: boolean }>('DELETE', `/v1/rooms/${roomId}/members/${userId}`);
        out.result(change, () =>
          keyValues([
            ['memberVersion', change.memberVersion],
            ['changed', change.changed ? 'yes' : 'no (already so)'],
          ]),
        );
      });
  }
}
