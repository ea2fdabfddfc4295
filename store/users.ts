import { newId } from '../lib/ids.js';
import type { Queryable } from './db.js';

export interface User {
  id: string;
  name: string;
}

export async function createUser(db: Queryable, input: { name: string }): Promise<User> {
  const id = newId();
  await db.query('INSERT INTO users (id, name) VALUES ($1, $2)', [id, input.name]);
  return { id, name: input.name };
}

/**
 * The user with this id, made with `name` if there is none yet (idempotent, safe under
 * concurrency); undefined when the id is a deleted user's: a tombstone is never brought back.
 */
export async function ensureUser(db: Queryable, input: { id: string; name: string }): Promise<User | undefined> {
  await db.query('INSERT INTO users (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING', [input.id, input.name]);
  return getUser(db, input.id);
}

/** A user that exists and is not deleted (a deleted user is a tombstone: store/admin-users.ts). */
export async function getUser(db: Queryable, id: string): Promise<User | undefined> {
  const { rows } = await db.query<User>('SELECT id, name FROM users WHERE id = $1 AND deleted_at_ms IS NULL', [id]);
  return rows[0];
}

/**
 * The ids among `ids` that name no user, or a deleted one. The rows found stay key-share locked
 * until the caller's transaction ends, so a user deleted meanwhile (which locks its row first)
 * is either seen deleted here or has its new membership removed by the deletion.
 */
export async function missingUserIds(db: Queryable, ids: readonly string[]): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    'SELECT id FROM users WHERE id = ANY($1::text[]) AND deleted_at_ms IS NULL ORDER BY id FOR KEY SHARE',
    [ids],
  );
  const found = new Set(rows.map((row) => row.id));
  return [...new Set(ids)].filter((id) => !found.has(id));
}
