import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractFeatures } from '../../../src/features/extract-features.js';
import { FEATURE_COUNT, FEATURE_NAMES, toVector } from '../../../src/features/feature-vector.js';
import { EMPTY_EVIDENCE } from '../../../src/state/evidence.js';
import {
  biometric,
  evidenceOf,
  goodArrivals,
  hoursAgo,
  T0,
  telecom,
} from '../../support/evidence-factory.js';

// The vector is a trained model's input interface: this list is the lock. Append only.
const EXPECTED_NAMES = [
  'tel_present',
  'tel_age_log1p_h',
  'tel_sim_swap_known',
  'tel_sim_swap_age_log1p_h',
  'tel_port_known',
  'tel_port_age_log1p_h',
  'tel_device_change_known',
  'tel_device_change_age_log1p_h',
  'tel_tenure_log1p_d',
  'tel_kyc_full',
  'tel_kyc_partial',
  'tel_kyc_none',
  'tel_line_postpaid',
  'tel_line_prepaid',
  'tel_line_voip',
  'tel_msisdn_changed',
  'tel_msisdn_change_age_log1p_h',
  'tel_signals_log1p',
  'loc_present',
  'loc_age_log1p_h',
  'loc_fixes_log1p',
  'loc_latest_speed_known',
  'loc_latest_speed_log1p_kmh',
  'loc_max_speed_24h_known',
  'loc_max_speed_24h_log1p_kmh',
  'loc_impossible_jumps_24h_log1p',
  'loc_home_known',
  'loc_home_distance_log1p_km',
  'loc_accuracy_log1p_m',
  'loc_source_gnss',
  'loc_source_cell',
  'loc_source_wifi',
  'loc_source_ip',
  'bio_present',
  'bio_age_log1p_h',
  'bio_match',
  'bio_liveness',
  'bio_quality',
  'bio_newest_pad',
  'bio_newest_live_good',
  'bio_modality_face',
  'bio_modality_fingerprint',
  'bio_modality_iris',
  'bio_modality_voice',
  'bio_channel_kiosk',
  'bio_channel_mobile',
  'bio_channel_branch',
  'bio_attack_unanswered',
  'bio_attack_known',
  'bio_attack_age_log1p_h',
  'bio_live_known',
  'bio_live_age_log1p_h',
  'bio_failed_24h_log1p',
  'bio_captures_log1p',
  'reg_present',
  'reg_age_log1p_h',
  'reg_record_found',
  'reg_name_match',
  'reg_birth_date_match',
  'reg_document_valid',
  'reg_status_active',
  'reg_status_suspended',
  'reg_status_deceased',
  'reg_registries_log1p',
  'reg_found_log1p',
];

function valueOf(vector: Float32Array, name: string): number {
  const index = FEATURE_NAMES.findIndex((candidate) => candidate === name);
  assert.ok(index >= 0, name);
  return vector[index] ?? Number.NaN;
}

void test('feature-names-are-fixed: names and order are exactly the published list, unique', () => {
  assert.deepEqual([...FEATURE_NAMES], EXPECTED_NAMES);
  assert.equal(FEATURE_COUNT, EXPECTED_NAMES.length);
  assert.equal(new Set(FEATURE_NAMES).size, FEATURE_COUNT);
});

void test('no evidence: every entry is 0 (missing is 0, with its presence flag 0)', () => {
  const vector = toVector(extractFeatures(EMPTY_EVIDENCE, T0));
  assert.equal(vector.length, FEATURE_COUNT);
  assert.ok(vector.every((v) => v === 0));
});

void test('a full subject: presence flags 1, one-hot enums, ages as ln(1 + hours)', () => {
  const vector = toVector(extractFeatures(evidenceOf(goodArrivals()), T0));
  assert.ok(vector.every((v) => Number.isFinite(v)));
  for (const name of [
    'tel_present',
    'loc_present',
    'bio_present',
    'reg_present',
    'tel_kyc_full',
    'loc_source_gnss',
  ]) {
    assert.equal(valueOf(vector, name), 1, name);
  }
  assert.equal(valueOf(vector, 'tel_kyc_none'), 0);
  assert.ok(Math.abs(valueOf(vector, 'tel_age_log1p_h') - Math.log1p(1)) < 1e-6);
  assert.ok(Math.abs(valueOf(vector, 'bio_match') - 0.96) < 1e-6);
  assert.equal(valueOf(vector, 'tel_sim_swap_known'), 0);
  assert.equal(valueOf(vector, 'tel_sim_swap_age_log1p_h'), 0);
});

void test('a SIM swap just now is distinguishable from no SIM swap: flag 1, age 0', () => {
  const vector = toVector(extractFeatures(evidenceOf({ telecom: [telecom({ simSwappedAt: T0 })] }), T0));
  assert.equal(valueOf(vector, 'tel_sim_swap_known'), 1);
  assert.equal(valueOf(vector, 'tel_sim_swap_age_log1p_h'), 0);
});

void test('extreme values are clamped and log-scaled to finite numbers', () => {
  const features = extractFeatures(
    evidenceOf({
      telecom: [telecom({ observedAt: 0, tenureDays: 2 ** 31 - 1, simSwappedAt: -8.64e15 })],
      biometric: [biometric({ observedAt: hoursAgo(1e6) })],
    }),
    T0,
  );
  const vector = toVector(features);
  assert.ok(vector.every((v) => Number.isFinite(v) && v >= 0 && v < 20));
  assert.ok(Math.abs(valueOf(vector, 'tel_tenure_log1p_d') - Math.log1p(36_525)) < 1e-4);
});

void test('writes a batch into one buffer at an offset; refuses to overflow', () => {
  const features = extractFeatures(evidenceOf(goodArrivals()), T0);
  const batch = new Float32Array(FEATURE_COUNT * 2);
  toVector(features, batch, FEATURE_COUNT);
  assert.deepEqual(batch.subarray(FEATURE_COUNT), toVector(features));
  assert.ok(batch.subarray(0, FEATURE_COUNT).every((v) => v === 0));
  assert.throws(() => toVector(features, batch, FEATURE_COUNT + 1), RangeError);
});
