/** Keyset-paged listings (`limit`, `after` → `nextAfter`): one page, or every page with --all. */
import type { ApiClient } from './api-client.js';

export interface Page<T> {
  items: T[];
  nextAfter: string | null;
  total: number;
}

/** `path` with its query; `key` names the list in the answer (`users`, `rooms`). */
export async function listPages<T>(
  api: ApiClient,
  path: string,
  query: Record<string, string | number | undefined>,
  key: string,
  all: boolean,
): Promise<Page<T>> {
  const items: T[] = [];
  let after = query['after'];
  for (;;) {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries({ ...query, after })) if (value !== undefined) params.set(name, String(value));
    const page = await api.call<Record<string, unknown> & { nextAfter: string | null; total: number }>(
      'GET',
      `${path}?${params.toString()}`,
    );
    items.push(...((page[key] as T[] | undefined) ?? []));
    if (!all || page.nextAfter === null) return { items, nextAfter: page.nextAfter, total: page.total };
    after = page.nextAfter;
  }
}

/** The line under a table of one page: how many of how many, and how to get the next. */
export function pageFooter(page: Page<unknown>, noun: string): string {
  const shown = `${page.items.length} of ${page.total} ${noun}`;
  return page.nextAfter === null ? shown : `${shown}; next page: --after ${page.nextAfter} (or --all)`;
}
