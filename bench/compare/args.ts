/**
 * Options of `npm run bench -- --compare` (compare.ts runs them). Durations and repetitions are options so
 * that a short run is possible; the defaults are the (30 s per rate, three repetitions).
 */
import { parseArgs } from 'node:util';
import type { CompareOptions } from './compare.js';
import type { ContenderSpec } from './contender-process.js';

const numbers = (text: string | undefined): number[] =>
  (text ?? '')
    .split(',')
    .map(Number)
    .filter((n) => n > 0);

export function parseCompareArgs(argv: readonly string[]): CompareOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      compare: { type: 'boolean' },
      events: { type: 'string', default: '100000' },
      'naive-events': { type: 'string', default: '10000' },
      'max-seconds': { type: 'string', default: '20' },
      // Latency at fractions of each contender's own draining maximum (the older measure): off by default.
      fractions: { type: 'string', default: '' },
      rates: { type: 'string' },
      seconds: { type: 'string', default: '15' },
      warmup: { type: 'string', default: '5' },
      subjects: { type: 'string', default: '20000' },
      model: { type: 'boolean', default: false },
      'no-scale-out': { type: 'boolean', default: false },
      only: { type: 'string' },
      profile: { type: 'string' },
      repetitions: { type: 'string', default: '3' },
      'live-rates': { type: 'string', default: '1000,2000,5000' },
      'live-seconds': { type: 'string', default: '30' },
      'live-warmup': { type: 'string', default: '5' },
      'slo-ms': { type: 'string', default: '50' },
      'search-start': { type: 'string', default: '4000' },
      'search-max': { type: 'string', default: '64000' },
      'search-probes': { type: 'string', default: '6' },
      'search-seconds': { type: 'string', default: '30' },
      'no-live': { type: 'boolean', default: false },
      'no-naive': { type: 'boolean', default: false },
      'scale-workers': { type: 'string', default: '1,2,3' },
    },
  });
  const all: ContenderSpec[] = [
    { name: 'ceiling', kind: 'ceiling', scorer: 'rules' },
    { name: 'naive peer (rules)', kind: 'naive', scorer: 'rules' },
    { name: 'dmid (rules)', kind: 'dmid', scorer: 'rules' },
  ];
  if (values.model) {
    // The naive peer with the model predicts once per event: the comparison the issue asks for.
    all.splice(2, 0, { name: 'naive peer (model)', kind: 'naive', scorer: 'model' });
    all.push({ name: 'dmid (model)', kind: 'dmid', scorer: 'model' });
  }
  const only = values.only?.split(',');
  const chosen = only === undefined ? all : all.filter((c) => only.includes(c.kind));
  return {
    contenders: values['no-naive'] ? chosen.filter((c) => c.kind !== 'naive') : chosen,
    events: Number(values.events),
    naiveEvents: Number(values['naive-events']),
    maxSeconds: Number(values['max-seconds']),
    fractions: numbers(values.fractions),
    ...(values.rates === undefined ? {} : { rates: numbers(values.rates) }),
    repetitions: Number(values.repetitions),
    live: values['no-live']
      ? undefined
      : {
          rates: numbers(values['live-rates']),
          seconds: Number(values['live-seconds']),
          warmupSeconds: Number(values['live-warmup']),
          sloMs: Number(values['slo-ms']),
          searchStart: Number(values['search-start']),
          searchMax: Number(values['search-max']),
          searchProbes: Number(values['search-probes']),
          searchSeconds: Number(values['search-seconds']),
        },
    scaleWorkers: numbers(values['scale-workers']),
    seconds: Number(values.seconds),
    warmupSeconds: Number(values.warmup),
    subjects: Number(values.subjects),
    scaleOut: !values['no-scale-out'],
    ...(values.profile === undefined ? {} : { profileDir: values.profile }),
  };
}
