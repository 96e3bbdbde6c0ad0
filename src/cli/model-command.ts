/**
 * `dmid model train` and `dmid model evaluate`: the identity-fusion model's training and evaluation.
 * Results go to files (and a summary line to stdout); the progress bar goes to stderr.
 */
import { parseArgs } from 'node:util';
import type { Writable } from 'node:stream';
import {
  DEFAULT_EPOCHS,
  DEFAULT_SUBJECTS,
  FOLD_EPOCHS,
  runEvaluation,
  runTraining,
  SHIFT,
  type EvaluationOptions,
  type Progress,
} from '../model/model-runs.js';
import { DEFAULT_MODEL_VERSION, defaultModelDir } from '../scoring/model/model-files.js';
import { selectBackend } from '../scoring/model/tf-backend.js';
import { usage, writeLine, type CliIo } from './io.js';

export const MODEL_HELP = `Usage: dmid model <train|evaluate> [options]

  train      generate labelled claims from the simulator (train, validation and test populations
             from the seed), train the additive identity-fusion model (tfjs), choose and fit its
             calibration on the validation set, and save it (metadata.json). A few minutes on 2 cores.
  evaluate   evaluate a saved model on its held-out test set (regenerated from its seed) against the
             rules baseline; writes metrics.json, evaluation.svg and MODEL_CARD.md next to it and
             prints the metrics JSON.

Options:
  --seed S           train: seed of the data and of training (default dmid-1)
  --version V        train: version written into the model (default ${DEFAULT_MODEL_VERSION})
  --out DIR          train: where to save (default models/identity-fusion/<version>/);
                     evaluate: where to write the results (default: the model folder)
  --model DIR        evaluate: the model folder (default models/identity-fusion/${DEFAULT_MODEL_VERSION}/)
  --epochs N         train: passes over the training data (default 14)
  --subjects N       train: subjects of the training population (default ${DEFAULT_SUBJECTS.train}; validation
                     and test get half and three quarters of it)
  --evaluate         train: evaluate right after training
  --protocol P       evaluate: also run protocol P: leave-family-out (one model per scenario family,
                     trained without it, scored on it; ~${FOLD_EPOCHS} epochs per fold)
  --shift            evaluate: also run the shift test (genuine risk base rates x${SHIFT}, wider spreads)
  --fold-epochs N    evaluate: epochs per leave-family-out fold (default ${FOLD_EPOCHS})`;

const BAR_WIDTH = 30;

/** A progress bar on `out`: redrawn in place on a terminal, one line per 10% otherwise. */
export function progressBar(out: Writable & { isTTY?: boolean }): Progress {
  let lastStage = '';
  let lastTenth = -1;
  return (stage, done) => {
    const share = Math.min(1, Math.max(0, done));
    const filled = Math.round(share * BAR_WIDTH);
    const line = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${String(Math.round(share * 100)).padStart(3)}% ${stage}`;
    if (out.isTTY === true) {
      out.write(`\r${line}\u001b[K${share >= 1 ? '\n' : ''}`);
      return;
    }
    const tenth = Math.floor(share * 10);
    if (stage !== lastStage || tenth !== lastTenth) out.write(`${line}\n`);
    lastStage = stage;
    lastTenth = tenth;
  };
}

function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw usage(`--${name} must be a positive integer`);
  return n;
}

export async function modelCommand(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    strict: true,
    allowPositionals: true,
    options: {
      seed: { type: 'string' },
      version: { type: 'string' },
      out: { type: 'string' },
      model: { type: 'string' },
      epochs: { type: 'string' },
      subjects: { type: 'string' },
      evaluate: { type: 'boolean' },
      protocol: { type: 'string' },
      shift: { type: 'boolean' },
      'fold-epochs': { type: 'string' },
    },
  });
  if (positionals.length > 0) throw usage('model takes no positional arguments after the subcommand');
  const progress = progressBar(io.stderr);
  await selectBackend();
  if (sub === 'train') {
    const version = values.version ?? DEFAULT_MODEL_VERSION;
    if (!/^\d+\.\d+\.\d+$/.test(version)) throw usage('--version must be MAJOR.MINOR.PATCH');
    const outDir = values.out ?? defaultModelDir(version);
    const train = positiveInt(values.subjects, 'subjects', DEFAULT_SUBJECTS.train);
    const subjects = { train, validation: Math.ceil(train / 2), test: Math.ceil((train * 3) / 4) };
    const started = Date.now();
    await runTraining({
      seed: values.seed ?? 'dmid-1',
      version,
      outDir,
      epochs: positiveInt(values.epochs, 'epochs', DEFAULT_EPOCHS),
      subjects,
      onProgress: progress,
    });
    io.stderr.write(
      `dmid model: trained in ${((Date.now() - started) / 1000).toFixed(1)} s, saved to ${outDir}\n`,
    );
    if (values.evaluate === true) await evaluateTo(outDir, outDir, io, { onProgress: progress });
    return 0;
  }
  if (sub === 'evaluate') {
    const protocol = values.protocol;
    if (protocol !== undefined && protocol !== 'leave-family-out') {
      throw usage(`unknown --protocol '${protocol}': use leave-family-out`);
    }
    const modelDir = values.model ?? defaultModelDir();
    await evaluateTo(modelDir, values.out ?? modelDir, io, {
      leaveFamilyOut: protocol === 'leave-family-out',
      shift: values.shift === true,
      foldEpochs: positiveInt(values['fold-epochs'], 'fold-epochs', FOLD_EPOCHS),
      onProgress: progress,
    });
    return 0;
  }
  throw usage(`unknown model subcommand '${sub ?? ''}': use train or evaluate`);
}

async function evaluateTo(
  modelDir: string,
  outDir: string,
  io: CliIo,
  options: EvaluationOptions,
): Promise<void> {
  const { report, protocols } = await runEvaluation(modelDir, outDir, options);
  // The reliability bins are in the SVG and metrics.json; stdout gets the numbers.
  await writeLine(io.stdout, JSON.stringify({ ...report, reliability: undefined, protocols }));
}
