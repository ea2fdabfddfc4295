import { fileURLToPath } from 'node:url';

/** Folder of the versioned SQL migrations, `NNN_name.sql`, applied in order at start-up. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
