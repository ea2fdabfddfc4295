/** Vitest global setup: the web chat page is built (web/dist) before any test serves it, only when a source changed. */
import { buildWebIfStale } from '../../scripts/build-web.js';

export default async function setup(): Promise<void> {
  await buildWebIfStale();
}
