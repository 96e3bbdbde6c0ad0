/**
 * Occlusions: for each reason code the rules can raise, how a subject's feature vector looks with that
 * fact taken away (the fact's features set to a reference value where it no longer holds). A reason's
 * impact is the model's confidence on the real vector minus its confidence on the occluded one: an
 * attribution by the model itself, not a fixed weight. Each edit moves features only in the direction
 * the contract calls better (for a negative code) or worse (for a positive one), so with the monotone
 * network the sign of an impact always matches its code.
 *
 * The rules sub-score input is occluded the same way: the rule's own adjustment is taken back.
 */
import { FEATURE_COUNT } from '../../features/feature-vector.js';
import type { ReasonCode } from '../reasons.js';
import { FEATURE_INDEX, NEVER_LOG1P_H } from './model-inputs.js';
import type { FeatureName } from '../../features/feature-vector.js';

/** Edits the vector at `base` in place. */
export type Occlusion = (v: Float32Array, base: number) => void;

const set =
  (values: Partial<Record<FeatureName, number>>): Occlusion =>
  (v, base) => {
    for (const [name, value] of Object.entries(values)) {
      v[base + FEATURE_INDEX[name as FeatureName]] = value;
    }
  };

/** Raises a feature to at least `value` (or lowers it to at most, with `atMost`). */
const atLeast =
  (name: FeatureName, value: number): Occlusion =>
  (v, base) => {
    const i = base + FEATURE_INDEX[name];
    v[i] = Math.max(v[i] ?? 0, value);
  };
const atMost =
  (name: FeatureName, value: number): Occlusion =>
  (v, base) => {
    const i = base + FEATURE_INDEX[name];
    v[i] = Math.min(v[i] ?? 0, value);
  };

const all =
  (...edits: Occlusion[]): Occlusion =>
  (v, base) => {
    for (const edit of edits) edit(v, base);
  };

const NEVER = { known: 0, age: NEVER_LOG1P_H };
const ln1p = Math.log1p;

/** The occlusion of every code the rules raise (the `<DIM>_STALE`/`_MISSING` ones act on the fusion). */
export const OCCLUSIONS: Readonly<Partial<Record<ReasonCode, Occlusion>>> = {
  TEL_SIM_SWAP_RECENT: set({ tel_sim_swap_known: NEVER.known, tel_sim_swap_age_log1p_h: NEVER.age }),
  TEL_PORTED_RECENT: set({ tel_port_known: NEVER.known, tel_port_age_log1p_h: NEVER.age }),
  TEL_NUMBER_NEW: all(
    atLeast('tel_tenure_log1p_d', ln1p(365)),
    set({ tel_msisdn_changed: NEVER.known, tel_msisdn_change_age_log1p_h: NEVER.age }),
  ),
  TEL_KYC_MISMATCH: set({ tel_kyc_full: 1, tel_kyc_partial: 0, tel_kyc_none: 0 }),
  TEL_VOIP_LINE: set({ tel_line_voip: 0, tel_line_postpaid: 1 }),
  TEL_TENURE_LONG: atMost('tel_tenure_log1p_d', ln1p(180)),
  TEL_KYC_MATCH: set({ tel_kyc_full: 0 }),
  LOC_IMPOSSIBLE_TRAVEL: all(
    set({ loc_impossible_jumps_24h_log1p: 0 }),
    atMost('loc_latest_speed_log1p_kmh', ln1p(100)),
    atMost('loc_max_speed_24h_log1p_kmh', ln1p(100)),
  ),
  LOC_FAR_FROM_HOME: atMost('loc_home_distance_log1p_km', ln1p(5)),
  LOC_LOW_ACCURACY: all(
    atMost('loc_accuracy_log1p_m', ln1p(20)),
    set({ loc_source_gnss: 1, loc_source_cell: 0, loc_source_ip: 0 }),
  ),
  LOC_HOME_REGION: atLeast('loc_home_distance_log1p_km', ln1p(100)),
  BIO_MATCH_LOW: atLeast('bio_match', 0.9),
  BIO_LIVENESS_LOW: atLeast('bio_liveness', 0.9),
  BIO_PRESENTATION_ATTACK: set({
    bio_newest_pad: 0,
    bio_attack_unanswered: 0,
    bio_attack_known: NEVER.known,
    bio_attack_age_log1p_h: NEVER.age,
  }),
  BIO_REPEATED_FAILURES: set({ bio_failed_24h_log1p: 0 }),
  BIO_STRONG_MATCH: atMost('bio_match', 0.75),
  REG_NO_RECORD: all(
    set({ reg_record_found: 1, reg_birth_date_match: 1, reg_document_valid: 1, reg_status_active: 1 }),
    atLeast('reg_name_match', 0.95),
    atLeast('reg_found_log1p', ln1p(1)),
  ),
  REG_NAME_MISMATCH: atLeast('reg_name_match', 0.95),
  REG_BIRTHDATE_MISMATCH: set({ reg_birth_date_match: 1 }),
  REG_DECEASED: set({ reg_status_deceased: 0, reg_status_active: 1 }),
  REG_SUSPENDED: set({ reg_status_suspended: 0, reg_status_active: 1 }),
  REG_DOCUMENT_INVALID: set({ reg_document_valid: 1 }),
  REG_VERIFIED: atMost('reg_name_match', 0.8),
};

/** Copies vector row `from` to row `to` of `vectors`. */
export function copyVector(vectors: Float32Array, from: number, to: number): void {
  vectors.copyWithin(to * FEATURE_COUNT, from * FEATURE_COUNT, (from + 1) * FEATURE_COUNT);
}
