import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));

/** The operator console: a static single-page app the server serves at /console (apps/payments-bb/src/console). */
export default defineConfig({
  root: here,
  base: '/console/',
  publicDir: false,
  // No @vitejs/plugin-react: Vite's own transform compiles JSX with React's automatic runtime.
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: {
    outDir: resolve(here, '../../dist/console'),
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    // Nothing inline: the server's Content-Security-Policy allows scripts and styles from the same origin only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: { port: 5173, strictPort: true },
});
