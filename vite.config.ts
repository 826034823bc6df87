import { defineConfig } from 'vite';
import { notebookCellSources } from './scripts/build/notebookCellSources.ts';

// The app is served from the repository root (index.html); nothing is fetched from a CDN.
export default defineConfig({
  // Notebook code cells are written once; the text readers see is derived from them at build time.
  plugins: [notebookCellSources()],
  server: { host: '127.0.0.1', port: 5173, strictPort: false },
  preview: { host: '127.0.0.1', port: 4173 },
  build: { outDir: 'dist/app', target: 'es2022' },
  worker: { format: 'es' },
});
