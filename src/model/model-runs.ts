/**
 * The two runs behind `dmid model train` and `dmid model evaluate`: data, training and saving; and the
 * evaluation of a saved model on its held-out test set (regenerated from the seed saved with it), with
 * the metrics file, the plot and the model card written next to the model.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FEATURE_NAMES } from '../features/feature-vector.js';
import { DEFAULT_HALF_LIVES_MS } from '../scoring/decay.js';
import { HIDDEN_UNITS } from '../scoring/model/fusion-model.js';
import { loadModel, MODEL_NAME, saveModel, type ModelMetadata } from '../scoring/model/model-files.js';
import { FEATURE_SIGNS } from '../scoring/model/model-inputs.js';
import { calibrate } from './calibration.js';
import { evaluate, type EvaluationReport } from './evaluation.js';
import { generateLabelledData, splitSeeds, type LabelledData } from './labelled-data.js';
import { modelCard } from './model-card.js';
import { evaluationSvg } from './svg-plot.js';
import { fusionLogits, trainModel } from './training.js';

/** Reports progress of a stage, `done` in 0..1. */
export type Progress = (stage: string, done: number) => void;

/** Population sizes of the three sets (subjects). */
export const DEFAULT_SUBJECTS = { train: 8_000, validation: 4_000, test: 6_000 } as const;

/** Options of the generator shared by the three sets. */
const DATA_OPTIONS = {
  fraudRate: 0.3,
  benignRate: 0.3,
  historyDays: 21,
  episodeDays: 14,
  tailDays: 3,
} as const;

export interface TrainingRunOptions {
  readonly seed: string;
  readonly outDir: string;
  readonly version: string;
  /** Training epochs. Default 14. */
  readonly epochs?: number;
  /** Subjects per set. Default {@link DEFAULT_SUBJECTS}. */
  readonly subjects?: { readonly train: number; readonly validation: number; readonly test: number };
  readonly onProgress?: Progress;
}

function dataSet(seed: string, subjects: number, stage: string, onProgress?: Progress): LabelledData {
  return generateLabelledData({
    seed,
    subjects,
    ...DATA_OPTIONS,
    onProgress: onProgress === undefined ? undefined : (done) => onProgress(stage, done),
  });
}

/** Generates the data, trains, calibrates and saves the model; returns its metadata. */
export async function runTraining(options: TrainingRunOptions): Promise<ModelMetadata> {
  const subjects = options.subjects ?? DEFAULT_SUBJECTS;
  const seeds = splitSeeds(options.seed);
  const train = dataSet(seeds.train, subjects.train, 'train data', options.onProgress);
  const validation = dataSet(seeds.validation, subjects.validation, 'validation data', options.onProgress);
  const epochs = options.epochs ?? 14;
  const trained = await trainModel(train, validation, {
    seed: options.seed,
    epochs,
    onEpoch: (epoch, total) => options.onProgress?.('training', epoch / total),
  });
  const metadata: ModelMetadata = {
    name: MODEL_NAME,
    version: options.version,
    featureNames: [...FEATURE_NAMES],
    featureSigns: { ...FEATURE_SIGNS },
    normalisation: trained.normalisation,
    fusion: trained.fusion,
    calibration: trained.calibration,
    halfLivesMs: DEFAULT_HALF_LIVES_MS,
    seed: options.seed,
    training: {
      subjects,
      ...DATA_OPTIONS,
      epochs,
      batchSize: 256,
      learningRate: 0.01,
      auxWeight: 0.25,
      hiddenUnits: HIDDEN_UNITS,
      trainRows: train.rows.count,
      validationRows: validation.rows.count,
    },
  };
  await saveModel(options.outDir, trained.networks.subScores, metadata);
  trained.networks.training.dispose();
  return metadata;
}

function subjectsOf(metadata: ModelMetadata): number {
  const subjects = metadata.training.subjects;
  if (typeof subjects === 'object' && subjects !== null && 'test' in subjects) {
    if (typeof subjects.test === 'number') return subjects.test;
  }
  return DEFAULT_SUBJECTS.test;
}

/**
 * Evaluates the model in `modelDir` on its held-out test set and writes `metrics.json`,
 * `evaluation.svg` and `MODEL_CARD.md` into `outDir` (default: the model folder).
 */
export async function runEvaluation(
  modelDir: string,
  outDir: string = modelDir,
  onProgress?: Progress,
): Promise<EvaluationReport> {
  const { network, metadata } = await loadModel(modelDir);
  try {
    const test = dataSet(splitSeeds(metadata.seed).test, subjectsOf(metadata), 'test data', onProgress);
    const z = fusionLogits(network, metadata.fusion, metadata.normalisation, test.rows);
    const confidence = Array.from(z, (v, i) =>
      Math.min(calibrate(metadata.calibration, v), test.cap[i] ?? 1),
    );
    const report = evaluate(confidence, test);
    writeFileSync(
      join(outDir, 'metrics.json'),
      `${JSON.stringify(withoutCurves(report, metadata), null, 2)}\n`,
    );
    writeFileSync(join(outDir, 'evaluation.svg'), evaluationSvg(report, `${MODEL_NAME}-${metadata.version}`));
    writeFileSync(join(outDir, 'MODEL_CARD.md'), modelCard(report, metadata, test.rows.count));
    onProgress?.('evaluation', 1);
    return report;
  } finally {
    network.dispose();
  }
}

/** The metrics file: the report without the ROC points (they are in the SVG), with the model's identity. */
function withoutCurves(report: EvaluationReport, metadata: ModelMetadata): object {
  return { model: `${MODEL_NAME}-${metadata.version}`, seed: metadata.seed, ...report, roc: undefined };
}
