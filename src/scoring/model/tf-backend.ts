/**
 * Picks the TensorFlow.js backend once per process: `tensorflow` (native, from @tensorflow/tfjs-node)
 * when that optional package is installed and loads; else `wasm`; else the pure-JS `cpu` backend. All
 * three allow `dataSync()`, which keeps scoring synchronous.
 */
import * as tf from '@tensorflow/tfjs';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

let chosen: Promise<BackendName> | undefined;

async function tryNative(): Promise<boolean> {
  try {
    // A variable specifier: the package is optional, and type-checking must not require it.
    const specifier = '@tensorflow/tfjs-node';
    await import(specifier);
    return await tf.setBackend('tensorflow');
  } catch {
    return false;
  }
}

async function tryWasm(): Promise<boolean> {
  try {
    await import('@tensorflow/tfjs-backend-wasm');
    return await tf.setBackend('wasm');
  } catch {
    return false;
  }
}

async function pick(preferred: BackendName | undefined): Promise<BackendName> {
  if (preferred === 'cpu') {
    await tf.setBackend('cpu');
    return 'cpu';
  }
  if (preferred !== 'wasm' && (await tryNative())) return 'tensorflow';
  if (await tryWasm()) return 'wasm';
  await tf.setBackend('cpu');
  return 'cpu';
}

/**
 * Selects and initialises the backend (once; later calls return the first choice). `preferred` skips
 * the faster ones: `wasm` never tries the native backend, `cpu` uses the pure-JS one.
 */
export function selectBackend(preferred?: BackendName): Promise<BackendName> {
  chosen ??= pick(preferred).then(async (name) => {
    await tf.ready();
    return name;
  });
  return chosen;
}
