/**
 * The lean TensorFlow.js the page runs, bundled by web/build.mjs from the exactly pinned npm
 * packages: tfjs-core, the graph-model loader (tfjs-converter), the wasm backend and the cpu
 * backend as its fallback. Neither backend registers its kernels here; the generated module
 * 'mnist-draw:kernels' registers only those the exported graphs dispatch (web/kernels.mjs
 * derives them from web/model at build time), for both backends.
 *
 * Exports a small `tf` namespace: exactly what main.js, classify.js, model.js, the tests and
 * bench/web.py call, so the bundler can drop the rest of tfjs-core.
 */
import '@tensorflow/tfjs-backend-cpu/dist/base';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm/dist/base';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import { env, getBackend, io, memory, scalar, setBackend, tensor, tidy, version_core } from '@tensorflow/tfjs-core';
import { KERNEL_NAMES } from 'mnist-draw:kernels';

// Threads need a cross-origin-isolated page; this one is not, and the bundle leaves the
// threaded wasm glue out (web/build.mjs), so never let the backend pick it.
env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);

/**
 * Whether this browser can run the one wasm binary the build ships (the SIMD one). Without
 * SIMD the backend would ask for the plain binary, which is not there.
 * @returns {Promise<boolean>}
 */
export async function wasmSimdSupported() {
  return typeof WebAssembly === 'object' && (await env().getAsync('WASM_HAS_SIMD_SUPPORT'));
}

export const tf = {
  env,
  getBackend,
  io: { http: io.http },
  kernelNames: KERNEL_NAMES,
  loadGraphModel,
  memory,
  scalar,
  setBackend,
  setWasmPaths,
  tensor,
  tidy,
  version: { tfjs: version_core },
};
