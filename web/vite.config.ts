import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const webRoot = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = fileURLToPath(new URL('..', import.meta.url));
/** Where `vite` (dev) forwards /api and /socket.io; the server serves web/dist itself in production. */
const devServer = process.env.KILOWATCH_DEV_SERVER ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: webRoot,
  base: '/',
  publicDir: 'public',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The server sends CSP `default-src 'self'`, which blocks data: URIs: every asset must be a file.
    assetsInlineLimit: 0,
    sourcemap: true,
  },
  server: {
    // web/ imports the socket contract from server/src, outside this root.
    fs: { allow: [repoRoot] },
    proxy: {
      '/api': devServer,
      '/socket.io': { target: devServer, ws: true },
    },
  },
});
