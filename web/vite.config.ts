import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The web page that tries the service. `npm run build:web` writes it to web/dist, which
 * the service serves at `/` beside `/graphql`, so the page calls `/graphql` on its own
 * origin; `npm run dev:web` serves it with hot reload and forwards `/graphql` to a
 * service started with `npm run serve` on the default port.
 */
export default defineConfig({
  // absolute, so the build does not depend on the directory it is started from
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true },
  server: {
    proxy: { '/graphql': 'http://127.0.0.1:4000' },
  },
});
