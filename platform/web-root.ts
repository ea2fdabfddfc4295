import { fileURLToPath } from 'node:url';

/** Where `npm run build:web` puts the web chat page (web/dist), which the API serves at /app/. */
export const WEB_ROOT = fileURLToPath(new URL('../web/dist/', import.meta.url));
