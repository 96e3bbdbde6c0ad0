/**
 * The files of one trained model version, `models/identity-fusion/<version>/`:
 * - `metadata.json`: the model itself (the additive model's tables, bias and calibration, additive-model.ts)
 *   with the feature vector and terms it reads, the half-lives of its freshness inputs, and how it was
 *   made (seed, data and training options);
 * - `metrics.json`, `evaluation.svg`, `MODEL_CARD.md`: written by `dmid model evaluate`.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DmidError } from '../../errors.js';
import { FEATURE_NAMES } from '../../features/feature-vector.js';
import type { HalfLives } from '../decay.js';
import type { AdditiveCalibration, AdditiveParams } from './additive-model.js';
import { TERMS } from './additive-terms.js';

/** Name of the model family; a version's scores carry `identity-fusion-<version>`. */
export const MODEL_NAME = 'identity-fusion';

/** The version the scorer loads by default. */
export const DEFAULT_MODEL_VERSION = '2.1.0';

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
  /** The terms, in table order, with their bounds: must equal this build's (additive-terms.ts). */
  readonly terms: readonly { readonly name: string; readonly lo: number; readonly hi: number }[];
  readonly additive: AdditiveParams;
  readonly calibration: AdditiveCalibration;
  /**
   * Per dimension, the mean calibrated log-odds a genuine subject's present dimension contributes (training
   * data): what a `<DIM>_MISSING` reason's impact is measured against.
   */
  readonly typicalContribution: readonly number[];
  readonly halfLivesMs: HalfLives;
  readonly seed: string;
  /** Options of the data generator and of training, for reproduction. */
  readonly training: Readonly<Record<string, unknown>>;
}

/** Saves the model into `dir` (created if needed). */
export function saveModel(dir: string, metadata: ModelMetadata): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'metadata.json'), `${JSON.stringify(metadata, null, 2)}\n`);
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new DmidError('DMID_MODEL_INVALID', `cannot read ${path}`, { cause });
  }
}

function invalid(message: string): DmidError {
  return new DmidError('DMID_MODEL_INVALID', message);
}

/** Throws DMID_MODEL_INVALID unless the model reads the vector and terms this build computes, the same way. */
export function checkCompatible(metadata: ModelMetadata): void {
  const names = metadata.featureNames;
  const prefix = FEATURE_NAMES.slice(0, names.length);
  if (!Array.isArray(names) || names.length === 0 || names.some((name, i) => name !== prefix[i])) {
    throw invalid('the model was trained on another feature vector');
  }
  const terms: readonly ModelMetadata['terms'][number][] = Array.isArray(metadata.terms)
    ? metadata.terms
    : [];
  if (terms.length !== TERMS.length) throw invalid('the model has other terms');
  TERMS.forEach((spec, t) => {
    const term = terms[t];
    if (term?.name !== spec.name || term.lo !== spec.lo || term.hi !== spec.hi) {
      throw invalid(`the model's term ${t} is not ${spec.name} with bounds [${spec.lo}, ${spec.hi}]`);
    }
  });
  const { knots, tables, bias } = metadata.additive;
  if (!Number.isInteger(knots) || knots < 1 || tables.length !== TERMS.length || !Number.isFinite(bias)) {
    throw invalid('the additive tables do not fit the terms');
  }
  tables.forEach((table, t) => {
    const spec = TERMS[t];
    if (spec === undefined || table.length !== knots + 1) throw invalid(`table ${t} has the wrong length`);
    for (const value of table) {
      if (!(value >= spec.lo - 1e-6 && value <= spec.hi + 1e-6)) {
        throw invalid(`table ${spec.name} leaves its bounds [${spec.lo}, ${spec.hi}]`);
      }
    }
  });
  const { a, c } = metadata.calibration;
  if (!(a > 0) || !Number.isFinite(a) || !Number.isFinite(c))
    throw invalid('the calibration is not increasing');
}

/** Loads and checks a model version from `dir`. */
export function loadModel(dir: string): ModelMetadata {
  const metadata = readJson(join(dir, 'metadata.json')) as ModelMetadata;
  if (typeof metadata !== 'object' || metadata === null || typeof metadata.additive !== 'object') {
    throw invalid(`${join(dir, 'metadata.json')} is not an additive identity-fusion model`);
  }
  checkCompatible(metadata);
  return metadata;
}
