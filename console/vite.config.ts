/**
 * Build of the operator console (issue #14): `console/` → `dist/console`, served by campaignd at
 * `/console`. Two entries: the console page and `docs-signer.js`, the module the `/docs` page
 * loads to sign its "Try it out" calls. Relative asset paths (`base: './'`), so the console works
 * under any path prefix; nothing is fetched from another host.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: './',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: here('../dist/console'),
    emptyOutDir: true,
    target: 'es2022',
    // exceljs (≈ 900 kB) is a chunk of its own, loaded only when an .xlsx list is chosen.
    chunkSizeWarningLimit: 1000,
    rollupOptions: {
      input: { index: here('index.html'), 'docs-signer': here('src/docs-signer.ts') },
      preserveEntrySignatures: 'exports-only',
      output: {
        entryFileNames: (chunk) => (chunk.name === 'docs-signer' ? 'docs-signer.js' : 'assets/[name]-[hash].js'),
      },
    },
  },
});
