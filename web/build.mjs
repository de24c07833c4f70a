#!/usr/bin/env node
/**
 * `npm run build`: the page as a static site in dist/, the one thing `npm start`
 * (web/serve.mjs), the tests and bench/web.py serve, and what any static host can serve.
 *
 *   node web/build.mjs [--out dist] [--model-dir web/model]
 *
 * 1. Kernels: web/kernels.mjs runs every exported graph in --model-dir through the page's own
 *    classify.js under Node and lists the TF.js kernels they dispatch.
 * 2. app.js: esbuild bundles web/js/main.js with tfjs-core, tfjs-converter, the wasm backend
 *    and the cpu fallback, plus a generated module registering just those kernels for both
 *    backends, into one classic script (not an ES module: web/js/script-url.js says why). Left out: the converter's executors for op categories no graph uses, the wasm
 *    backend's threaded glue (the page is not cross-origin isolated, so it never runs), and
 *    tfjs-core's optimizers (training only). Licences go to app.js.LEGAL.txt.
 * 3. style.css: web/style.css with the files it @imports (web/canvas.css, the drawing surface
 *    the app shares) bundled in and minified, so the page still asks for one stylesheet.
 * 4. index.html, manifest.webmanifest, the SIMD wasm binary (the only one the page can ask for:
 *    web/js/tf.js), icons drawn by web/icons.mjs, and model/ (a copy of --model-dir, for static
 *    hosts; serve.mjs serves --model-dir itself).
 * 5. sw.js: web/sw.js bundled with the shell file list and the build id (a hash of them).
 * 6. build.json: id, kernels, graph ops, converter categories, bundled npm packages, and
 *    each shipped file's bytes and gzip bytes (tests/test_web_offline.py, bench/web.py).
 * The new dist/ replaces the old one only when complete.
 */
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

import { iconPng } from './icons.mjs';
import { deriveKernels, KernelError, kernelModuleSource } from './kernels.mjs';

const WEB_DIR = path.dirname(fileURLToPath(import.meta.url));
const PROJECT_ROOT = path.dirname(WEB_DIR);
const require = createRequire(import.meta.url);

const WASM_BINARY = 'tfjs-backend-wasm-simd.wasm';
const ICON_SIZES = [192, 512];
/** Copied from web/ as they are. */
const STATIC_FILES = ['index.html', 'manifest.webmanifest'];
/** What the service worker precaches, relative to the page; the default model is added by sw.js. */
const SHELL_FILES = [
  './',
  'app.js',
  'style.css',
  `wasm/${WASM_BINARY}`,
  'manifest.webmanifest',
  'icons/icon-192.png',
  'icons/icon-512.png',
];
/** The converter's executor modules, one per op category (tfjs-converter/dist/operations/executors). */
const EXECUTOR_IMPORT = /^\.\/executors\/(\w+)_executor$/;

class BuildError extends Error {}

/** esbuild plugin: the generated kernel module as 'mnist-draw:kernels'. */
function kernelModulePlugin(source) {
  return {
    name: 'mnist-draw-kernels',
    setup(build) {
      build.onResolve({ filter: /^mnist-draw:kernels$/ }, () => ({ path: 'kernels', namespace: 'mnist-draw' }));
      build.onLoad({ filter: /.*/, namespace: 'mnist-draw' }, () => ({ contents: source, resolveDir: PROJECT_ROOT }));
    },
  };
}

/**
 * esbuild plugin: leave out what the page can never run. Executors of unused op categories
 * become a stub that names the op (a model with new ops needs a new build); the threaded wasm
 * glue becomes a stub (tf.js turns threads off); bare '@tensorflow/tfjs-core' skips the
 * optimizers its index.js registers, as TF.js's own custom bundles do.
 */
function leaveOutPlugin(usedCategories, skipped) {
  return {
    name: 'mnist-draw-leave-out',
    setup(build) {
      build.onResolve({ filter: EXECUTOR_IMPORT }, (args) => {
        const category = args.path.match(EXECUTOR_IMPORT)[1];
        if (!args.importer.includes('tfjs-converter') || usedCategories.includes(category)) return undefined;
        skipped.push(category);
        return { path: category, namespace: 'unused-executor' };
      });
      build.onLoad({ filter: /.*/, namespace: 'unused-executor' }, (args) => ({
        contents:
          'export function executeOp(node) {\n' +
          `  throw new Error(\`graph op \${node.op} (${args.path}) is not in this build: run npm run build\`);\n}\n`,
      }));
      build.onLoad({ filter: /tfjs-converter[\\/]dist[\\/]operations[\\/]executors[\\/]\w+_executor\.js$/ }, (args) => {
        // `executeOp(node, ..., ops = tfOps)` hands the whole ops namespace around as a value,
        // which keeps every op in the bundle; calling tfOps.x directly lets esbuild keep only x.
        const source = readFileSync(args.path, 'utf8');
        return { contents: source.replace(/, ops = tfOps\)/, ')').replace(/\bops\./g, 'tfOps.'), loader: 'js' };
      });
      build.onResolve({ filter: /tfjs-backend-wasm-threaded-simd(\.worker)?\.js$/ }, (args) => ({
        path: args.path,
        namespace: 'no-threads',
      }));
      build.onLoad({ filter: /.*/, namespace: 'no-threads' }, () => ({
        contents:
          "export default function () { throw new Error('the threaded wasm backend is not in this build'); }\n" +
          "export const wasmWorkerContents = '';\n",
      }));
      build.onResolve({ filter: /^@tensorflow\/tfjs-core$/ }, () => ({ path: 'tfjs-core', namespace: 'core-base' }));
      build.onLoad({ filter: /.*/, namespace: 'core-base' }, () => ({
        contents:
          "import '@tensorflow/tfjs-core/dist/base_side_effects';\nexport * from '@tensorflow/tfjs-core/dist/base';\n",
        resolveDir: PROJECT_ROOT,
      }));
    },
  };
}

/** The npm packages a metafile's inputs came from, e.g. ["@tensorflow/tfjs-core", "long"]. */
function bundledPackages(metafile) {
  const names = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    if (input.startsWith('(disabled):')) continue; // a Node-only import the package.json "browser" field empties
    const match = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
    if (match) names.add(match[1]);
  }
  return [...names].sort();
}

/** Bundle web/js/main.js into `outDir`/app.js; returns the packages and skipped categories. */
async function bundleApp(esbuild, outDir, kernelSource, categories) {
  const skipped = [];
  const result = await esbuild.build({
    entryPoints: { app: path.join(WEB_DIR, 'js', 'main.js') },
    outdir: outDir,
    bundle: true,
    // A classic script (index.html loads it with `defer`), for V8's code cache: see
    // web/js/script-url.js, which stands in for import.meta.url. An ES module is strict mode
    // throughout, so the script says so too.
    format: 'iife',
    banner: { js: '"use strict";' },
    inject: [path.join(WEB_DIR, 'js', 'script-url.js')],
    define: { 'import.meta.url': 'scriptUrl' },
    platform: 'browser',
    target: ['es2020'],
    minify: true,
    legalComments: 'linked',
    metafile: true,
    logLevel: 'error',
    plugins: [kernelModulePlugin(kernelSource), leaveOutPlugin(categories, skipped)],
  });
  return { packages: bundledPackages(result.metafile), skippedCategories: [...new Set(skipped)].sort() };
}

/** Bundle web/style.css and what it @imports into `outDir`/style.css. */
async function bundleStyle(esbuild, outDir) {
  await esbuild.build({
    entryPoints: { style: path.join(WEB_DIR, 'style.css') },
    outdir: outDir,
    bundle: true,
    minify: true,
    logLevel: 'error',
  });
}

/** Bundle web/sw.js into `outDir`/sw.js with SW_BUILD filled in. */
async function bundleServiceWorker(esbuild, outDir, swBuild) {
  await esbuild.build({
    entryPoints: { sw: path.join(WEB_DIR, 'sw.js') },
    outdir: outDir,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['es2020'],
    minify: true,
    logLevel: 'error',
    define: { SW_BUILD: JSON.stringify(swBuild) },
  });
}

/** Every file under `folder` -> {relative path: {bytes, gzip_bytes}}. */
function fileSizes(folder, prefix = '') {
  const sizes = {};
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const relative = prefix + entry.name;
    if (entry.isDirectory()) Object.assign(sizes, fileSizes(path.join(folder, entry.name), `${relative}/`));
    else {
      const bytes = readFileSync(path.join(folder, entry.name));
      sizes[relative] = { bytes: bytes.length, gzip_bytes: gzipSync(bytes, { level: 9 }).length };
    }
  }
  return sizes;
}

/** Hash of the shell files' contents: a new build id whenever any of them changes. */
function buildId(outDir) {
  const hash = createHash('sha256');
  for (const file of SHELL_FILES) {
    const name = file === './' ? 'index.html' : file;
    hash.update(`${name}\0`).update(readFileSync(path.join(outDir, name)));
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * Build the page into `outDir` from the export in `modelDir`.
 * @returns {Promise<object>}  what build.json holds
 */
export async function build(outDir, modelDir) {
  if (!existsSync(path.join(modelDir, 'metadata.json'))) {
    throw new BuildError(`${path.join(modelDir, 'metadata.json')} is missing: run \`python -m export\` first`);
  }
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    throw new BuildError('esbuild is not installed: run `npm ci`');
  }
  const derived = await deriveKernels(modelDir);
  const staging = path.join(path.dirname(outDir), `.tmp-${path.basename(outDir)}-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    const { packages, skippedCategories } = await bundleApp(
      esbuild,
      staging,
      kernelModuleSource(derived.kernels),
      derived.categories,
    );
    await bundleStyle(esbuild, staging);
    for (const file of STATIC_FILES) cpSync(path.join(WEB_DIR, file), path.join(staging, file));
    const wasmDist = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
    mkdirSync(path.join(staging, 'wasm'));
    cpSync(path.join(wasmDist, WASM_BINARY), path.join(staging, 'wasm', WASM_BINARY));
    mkdirSync(path.join(staging, 'icons'));
    for (const size of ICON_SIZES) writeFileSync(path.join(staging, 'icons', `icon-${size}.png`), iconPng(size));
    const id = buildId(staging);
    await bundleServiceWorker(esbuild, staging, { id, shell: SHELL_FILES });
    const info = {
      id,
      tfjs_version: require('@tensorflow/tfjs-core/package.json').version,
      esbuild_version: esbuild.version,
      kernels: derived.kernels,
      graph_ops: derived.graphOps,
      categories: derived.categories,
      graphs: derived.graphs,
      skipped_categories: skippedCategories,
      packages,
      shell: SHELL_FILES,
      files: fileSizes(staging),
    };
    writeFileSync(path.join(staging, 'build.json'), `${JSON.stringify(info, null, 2)}\n`);
    cpSync(modelDir, path.join(staging, 'model'), {
      recursive: true,
      filter: (source) => !path.basename(source).startsWith('.'),
    });
    rmSync(outDir, { recursive: true, force: true });
    renameSync(staging, outDir);
    return info;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

async function main() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        out: { type: 'string', default: path.join(PROJECT_ROOT, 'dist') },
        'model-dir': { type: 'string', default: path.join(WEB_DIR, 'model') },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    console.error(`error: ${error.message}`);
    process.exit(2);
  }
  if (values.help) {
    console.log('usage: node web/build.mjs [--out dist] [--model-dir web/model]');
    return;
  }
  const outDir = path.resolve(values.out);
  try {
    const info = await build(outDir, path.resolve(values['model-dir']));
    const gzip = (name) => (info.files[name].gzip_bytes / 1024).toFixed(0);
    console.log(
      `wrote ${path.relative(process.cwd(), outDir) || outDir}/ (build ${info.id}): app.js ${gzip('app.js')} KB gzip, ` +
        `wasm ${gzip(`wasm/${WASM_BINARY}`)} KB gzip; kernels ${info.kernels.join(', ')}`,
    );
  } catch (error) {
    if (!(error instanceof BuildError || error instanceof KernelError)) throw error;
    console.error(`error: ${error.message}`);
    process.exit(1);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
