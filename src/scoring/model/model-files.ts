/**
 * The files of one trained model version, `models/identity-fusion/<version>/`:
 * - `model.json`, `weights.bin`: the sub-score network in the tfjs layers format (topology and weights);
 * - `metadata.json`: everything else the scorer needs (feature list, input orientation, normalisation,
 *   fusion parameters, calibration, half-lives) and how it was made (seed, data and training options);
 * - `metrics.json`, `evaluation.svg`, `MODEL_CARD.md`: written by `dmid model evaluate`.
 * Written and read with node:fs (tfjs's own file handlers need tfjs-node, which is optional).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { DmidError } from '../../errors.js';
import { FEATURE_NAMES } from '../../features/feature-vector.js';
import type { HalfLives } from '../decay.js';
import type { FusionParams } from './fusion-model.js';
import { FEATURE_SIGNS, type Normalisation } from './model-inputs.js';

/** Name of the model family; a version's scores carry `identity-fusion-<version>`. */
export const MODEL_NAME = 'identity-fusion';

/** The version the shipped model is saved as, and the one the scorer loads by default. */
export const DEFAULT_MODEL_VERSION = '1.0.0';

/** The default folder of a model version, relative to the package root. */
export function defaultModelDir(version: string = DEFAULT_MODEL_VERSION): string {
  return new URL(`../../../models/${MODEL_NAME}/${version}/`, import.meta.url).pathname;
}

/** The contents of `metadata.json`. */
export interface ModelMetadata {
  readonly name: string;
  readonly version: string;
  /** The feature vector the model was trained on, in order: must be a prefix of this build's. */
  readonly featureNames: readonly string[];
  readonly featureSigns: Readonly<Record<string, number>>;
  readonly normalisation: Normalisation;
  readonly fusion: FusionParams;
  readonly calibration: { readonly a: number; readonly c: number };
  readonly halfLivesMs: HalfLives;
  readonly seed: string;
  /** Options of the data generator and of training, for reproduction. */
  readonly training: Readonly<Record<string, unknown>>;
}

interface ModelJson {
  readonly modelTopology: object;
  readonly weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  readonly format?: string;
  readonly generatedBy?: string;
}

function concatBuffers(data: ArrayBuffer | ArrayBuffer[]): Buffer {
  const parts = Array.isArray(data) ? data : [data];
  return Buffer.concat(parts.map((part) => Buffer.from(part)));
}

/** Saves the network and metadata into `dir` (created if needed). */
export async function saveModel(
  dir: string,
  network: tf.LayersModel,
  metadata: ModelMetadata,
): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await network.save(
    tf.io.withSaveHandler((artifacts) => {
      const json: ModelJson = {
        modelTopology: artifacts.modelTopology as object,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
      };
      writeFileSync(join(dir, 'model.json'), `${JSON.stringify(json)}\n`);
      writeFileSync(join(dir, 'weights.bin'), concatBuffers(artifacts.weightData ?? new ArrayBuffer(0)));
      writeFileSync(join(dir, 'metadata.json'), `${JSON.stringify(metadata, null, 2)}\n`);
      return Promise.resolve({ modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } });
    }),
  );
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new DmidError('DMID_MODEL_INVALID', `cannot read ${path}`, { cause });
  }
}

/** Throws DMID_MODEL_INVALID unless the model reads the vector this build computes, the same way. */
function checkCompatible(metadata: ModelMetadata): void {
  const names = metadata.featureNames;
  const prefix = FEATURE_NAMES.slice(0, names.length);
  if (names.length === 0 || names.some((name, i) => name !== prefix[i])) {
    throw new DmidError('DMID_MODEL_INVALID', 'the model was trained on another feature vector');
  }
  for (const name of names) {
    if (metadata.featureSigns[name] !== FEATURE_SIGNS[name as keyof typeof FEATURE_SIGNS]) {
      throw new DmidError('DMID_MODEL_INVALID', `the model orients feature ${name} differently`);
    }
  }
}

/** Loads a model version from `dir`. */
export async function loadModel(dir: string): Promise<{ network: tf.LayersModel; metadata: ModelMetadata }> {
  const metadata = readJson(join(dir, 'metadata.json')) as ModelMetadata;
  checkCompatible(metadata);
  const json = readJson(join(dir, 'model.json')) as ModelJson;
  let weights: Buffer;
  try {
    weights = readFileSync(join(dir, 'weights.bin'));
  } catch (cause) {
    throw new DmidError('DMID_MODEL_INVALID', `cannot read ${join(dir, 'weights.bin')}`, { cause });
  }
  const weightData = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength);
  const network = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((group) => group.weights),
      weightData,
    }),
  );
  return { network, metadata };
}
