/**
 * Which TF.js kernels the page needs, derived from the exported graphs at build time
 * (web/build.mjs), never written down by hand.
 *
 * For each graph the page can load (every variant in metadata.json, the stroke model and the
 * "Look inside" activation model), Node loads its model.json with the real tfjs-core, tfjs-converter and the
 * cpu backend (all kernels), then runs it through the page's own web/js/classify.js under
 * tf.profile. The kernels that profile saw dispatched are the list; the converter's graph nodes
 * say which category (executor) each graph op went to. The lists become a generated module
 * that imports just those kernel configs of the wasm and cpu backends and registers them
 * (web/js/tf.js imports it as 'mnist-draw:kernels').
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { blockActivations, classifyBatch } from './js/classify.js';

const require = createRequire(import.meta.url);
let tf, converter; // loaded by deriveKernels only: web/serve.mjs imports graphOps without TF.js

/** The Node (CommonJS) builds of the same pinned packages the bundle uses, cpu with every kernel. */
async function loadTf() {
  tf = require('@tensorflow/tfjs-core');
  require('@tensorflow/tfjs-backend-cpu');
  converter = require('@tensorflow/tfjs-converter');
  tf.env().set('PROD', true); // no "install tfjs-node" banner in the build's output
  await tf.setBackend('cpu');
}

/** The page's two backends, in the order the generated module registers them. */
export const BACKEND_PACKAGES = { wasm: '@tensorflow/tfjs-backend-wasm', cpu: '@tensorflow/tfjs-backend-cpu' };

/** A build failure with a one-line message (web/build.mjs prints it as `error: ...`). */
export class KernelError extends Error {}

/** Graph op names in a model.json, including those inside its function library. */
export function graphOps(modelJson) {
  const nodes = [
    ...(modelJson.modelTopology?.node ?? []),
    ...(modelJson.modelTopology?.library?.function ?? []).flatMap((fn) => fn.nodeDef ?? []),
  ];
  return [...new Set(nodes.map((node) => node.op))].sort();
}

/** model.json plus its weight files read from disk -> a tf.io handler for loadGraphModel. */
function fromDisk(modelPath) {
  const modelJson = JSON.parse(readFileSync(modelPath, 'utf8'));
  const folder = path.dirname(modelPath);
  const shards = modelJson.weightsManifest
    .flatMap((group) => group.paths)
    .map((file) => readFileSync(path.join(folder, file)));
  const weights = Buffer.concat(shards);
  return {
    modelJson,
    handler: tf.io.fromMemory({
      modelTopology: modelJson.modelTopology,
      weightSpecs: modelJson.weightsManifest.flatMap((group) => group.weights),
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.length),
      signature: modelJson.signature,
    }),
  };
}

/** Kernels dispatched while `run` executes, without the op-level names customGrad adds. */
async function profiledKernels(run) {
  const { kernelNames } = await tf.profile(run);
  return kernelNames.filter((name) => tf.getKernel(name, 'cpu') != null);
}

/**
 * Every graph the page may load, executed the way the page runs it.
 * @param {string} modelDir  the export folder (web/model): metadata.json and its graphs
 * @returns {Promise<{graphs: object[], kernels: string[], categories: string[], graphOps: string[]}>}
 *   per graph: its path, graph ops, converter categories and kernels; then the unions.
 */
export async function deriveKernels(modelDir) {
  let metadata;
  try {
    metadata = JSON.parse(readFileSync(path.join(modelDir, 'metadata.json'), 'utf8'));
  } catch (error) {
    throw new KernelError(
      `cannot read ${path.join(modelDir, 'metadata.json')} (${error.message}): run \`python -m export\``,
    );
  }
  await loadTf();
  const inputShape = metadata.input.shape;
  const images = new Float32Array(2 * inputShape.reduce((product, size) => product * size, 1)).fill(0.5);
  const entries = [
    ...Object.values(metadata.variants).map((variant) => ({ path: variant.path, run: 'classify', inputShape })),
    ...(metadata.activations ? [{ path: metadata.activations.path, run: 'activations' }] : []),
    ...(metadata.stroke
      ? [{ path: metadata.stroke.path, run: 'classify', inputShape: metadata.stroke.input.shape }]
      : []),
  ];
  const graphs = [];
  for (const entry of entries) {
    const modelPath = path.join(modelDir, entry.path);
    let model, modelJson;
    try {
      const loaded = fromDisk(modelPath);
      modelJson = loaded.modelJson;
      model = await converter.loadGraphModel(loaded.handler);
    } catch (error) {
      throw new KernelError(`cannot load ${modelPath} with tfjs-converter (${error.message})`);
    }
    const kernels = await profiledKernels(async () => {
      if (entry.run === 'classify') {
        const inputs = new Float32Array(2 * entry.inputShape.reduce((product, size) => product * size, 1)).fill(0.5);
        await classifyBatch(tf, model, inputs, entry.inputShape);
      } else
        await blockActivations(
          tf,
          model,
          images.subarray(0, images.length / 2),
          inputShape,
          metadata.activations.outputs,
        );
    });
    const categories = [...new Set(Object.values(model.executor.graph.nodes).map((node) => node.category))].sort();
    graphs.push({ path: entry.path, graphOps: graphOps(modelJson), categories, kernels: [...new Set(kernels)].sort() });
    model.dispose();
  }
  const union = (key) => [...new Set(graphs.flatMap((graph) => graph[key]))].sort();
  return { graphs, kernels: union('kernels'), categories: union('categories'), graphOps: union('graphOps') };
}

/** kernel name -> {file, exportName} for one backend package, read from its register_all_kernels.js. */
function kernelConfigs(packageName) {
  const dist = path.join(path.dirname(require.resolve(`${packageName}/package.json`)), 'dist');
  const kernelNames = readFileSync(require.resolve('@tensorflow/tfjs-core/dist/kernel_names.js'), 'utf8');
  const constants = Object.fromEntries(
    [...kernelNames.matchAll(/export const (\w+) = '([^']+)';/g)].map((m) => [m[1], m[2]]),
  );
  const registry = readFileSync(path.join(dist, 'register_all_kernels.js'), 'utf8');
  const configs = {};
  for (const [, exportName, file] of registry.matchAll(/import \{ (\w+) \} from '\.\/kernels\/(\w+)';/g)) {
    const source = readFileSync(path.join(dist, 'kernels', `${file}.js`), 'utf8');
    // Most configs name their kernel; the wasm backend's unary ones (Relu, ...) are made by a helper.
    const constant = source.match(/kernelName: (\w+)/)?.[1] ?? source.match(/create\w*KernelConfig\((\w+)/)?.[1];
    if (constant && constants[constant])
      configs[constants[constant]] = { file: `${packageName}/dist/kernels/${file}`, exportName, source: file };
  }
  return configs;
}

/**
 * `kernels` and every kernel they call directly inside a backend. Some kernels run others'
 * compiled functions without dispatching them (the wasm reductions transpose through the
 * Transpose kernel's function, set up only when that kernel is registered), so a profile never
 * sees them; they are found by following each kernel file's imports of sibling modules.
 * @param {string[]} kernels
 * @param {string} packageName
 */
function withCalledKernels(kernels, packageName) {
  const configs = kernelConfigs(packageName);
  const kernelOfFile = Object.fromEntries(Object.entries(configs).map(([name, config]) => [config.source, name]));
  const folder = path.join(path.dirname(require.resolve(`${packageName}/package.json`)), 'dist', 'kernels');
  const found = new Set(kernels);
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    let source;
    try {
      source = readFileSync(path.join(folder, `${file}.js`), 'utf8');
    } catch {
      return; // not a module of the kernels folder
    }
    for (const [, imported] of source.matchAll(/from '\.\/(\w+)';/g)) {
      if (kernelOfFile[imported]) found.add(kernelOfFile[imported]);
      visit(imported);
    }
  };
  kernels.filter((kernel) => configs[kernel]).forEach((kernel) => visit(configs[kernel].source));
  return [...found].sort();
}

/**
 * Source of the 'mnist-draw:kernels' module: imports the configs of `kernels` from both
 * backends and registers them. KernelError names any kernel a backend does not have.
 * @param {string[]} kernels
 */
export function kernelModuleSource(kernels) {
  kernels = withCalledKernels(kernels, BACKEND_PACKAGES.wasm);
  const imports = [];
  const names = [];
  for (const [backend, packageName] of Object.entries(BACKEND_PACKAGES)) {
    const configs = kernelConfigs(packageName);
    const missing = kernels.filter((kernel) => !configs[kernel]);
    if (missing.length) throw new KernelError(`${packageName} has no kernel for ${missing.join(', ')}`);
    kernels.forEach((kernel, index) => {
      const local = `${backend}${index}`;
      imports.push(`import { ${configs[kernel].exportName} as ${local} } from '${configs[kernel].file}';`);
      names.push(local);
    });
  }
  return [
    '// Generated by web/build.mjs from the exported graphs (web/kernels.mjs); not a source file.',
    "import { registerKernel } from '@tensorflow/tfjs-core';",
    ...imports,
    `export const KERNEL_NAMES = ${JSON.stringify(kernels)};`,
    `for (const config of [${names.join(', ')}]) registerKernel(config);`,
    '',
  ].join('\n');
}
