/**
 * Vite config of the browser example. The page imports `tfjs-colorization` exactly as an application
 * would; the name is aliased to the package's ESM build in `build/browser/` (`npm run build:browser`, which
 * leaves the published `dist/` alone), never to `src/`,
 * so the example and the browser tests exercise what npm would ship.
 *
 * The package's bundled model (`models/default/`) is the public folder's `default/`: served by the dev
 * server and copied into the build, as an application would serve it from the installed package.
 *
 * `COLORIZATION_MODELS_DIR` (optional): a folder served under `/models/`, for models that are not part of
 * the page (the tests save small models there; `?model=/models/<name>/model.json` loads one).
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Connect, type Plugin } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));
const packageRoot = resolve(here, '../..');
const distEntry = join(packageRoot, 'build/browser/index.js');

const CONTENT_TYPES: Record<string, string> = { '.json': 'application/json', '.bin': 'application/octet-stream' };

/** Serve `COLORIZATION_MODELS_DIR` under `/models/` in both the dev and the preview server. */
function serveModelsFolder(folder: string | undefined): Plugin {
  const middleware: Connect.NextHandleFunction = (req, res, next) => {
    if (folder === undefined || req.url === undefined || !req.url.startsWith('/models/')) return next();
    const relative = decodeURIComponent(req.url.slice('/models/'.length).split('?')[0]);
    const path = normalize(join(folder, relative));
    // Refuse anything that escapes the folder (`..` in the URL).
    if (!path.startsWith(normalize(folder) + sep) || !existsSync(path) || !statSync(path).isFile()) return next();
    res.setHeader('Content-Type', CONTENT_TYPES[extname(path)] ?? 'application/octet-stream');
    createReadStream(path).pipe(res);
  };
  return {
    name: 'serve-models-folder',
    configureServer: (server) => void server.middlewares.use(middleware),
    configurePreviewServer: (server) => void server.middlewares.use(middleware),
  };
}

export default defineConfig({
  root: here,
  // Relative asset URLs: the built page works from any sub-path.
  base: './',
  publicDir: join(packageRoot, 'models'),
  plugins: [serveModelsFolder(process.env.COLORIZATION_MODELS_DIR)],
  resolve: {
    alias: [
      { find: /^tfjs-colorization$/, replacement: distEntry },
      { find: /^tfjs-colorization\/([a-z]+)$/, replacement: join(packageRoot, 'build/browser/$1/index.js') },
    ],
  },
  server: { fs: { allow: [packageRoot] } },
  build: {
    outDir: join(here, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    // tfjs and its backends are large by nature; the warning would only repeat that.
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      input: {
        index: join(here, 'index.html'),
        train: join(here, 'train.html'),
        'quick-start': join(here, 'quick-start.html'),
      },
    },
  },
});
