/**
 * The docs/scoring.md table of every number behind a rules score, generated from the constants themselves so
 * the published policy cannot drift from the code (see also `reasonCodeTable`, `assuranceRuleTable`).
 */
import * as f from '../features/feature-constants.js';
import { DEFAULT_HALF_LIVES_MS } from './decay.js';
import * as k from './rules-constants.js';

type Row = readonly [name: string, value: number | string, meaning: string];

const hours = (ms: number): string => `${ms / f.MS_PER_HOUR} h`;
const days = (ms: number): string => `${ms / f.MS_PER_DAY} d`;

/** Every scoring constant, grouped by stage, with its value and meaning. */
export const SCORING_CONSTANT_ROWS: readonly Row[] = [
  ['BASE_WEIGHTS.TELECOM', k.BASE_WEIGHTS.TELECOM, 'Share of telecom in the confidence when fresh'],
  ['BASE_WEIGHTS.LOCATION', k.BASE_WEIGHTS.LOCATION, 'Share of location when fresh'],
  ['BASE_WEIGHTS.BIOMETRIC', k.BASE_WEIGHTS.BIOMETRIC, 'Share of biometric when fresh'],
  ['BASE_WEIGHTS.REGISTRY', k.BASE_WEIGHTS.REGISTRY, 'Share of registry when fresh'],
  ['UNKNOWN_PRIOR', k.UNKNOWN_PRIOR, 'What a missing dimension contributes; what good evidence fades to'],
  ['NEUTRAL_SUB_SCORE', k.NEUTRAL_SUB_SCORE, 'Reference sub-score for the impact of `<DIM>_MISSING`'],
  [
    'STALE_BELOW_FRESHNESS',
    k.STALE_BELOW_FRESHNESS,
    '`<DIM>_STALE` below this freshness (older than one half-life)',
  ],
  ['half-life TELECOM', days(DEFAULT_HALF_LIVES_MS.TELECOM), 'Default; configurable'],
  ['half-life LOCATION', hours(DEFAULT_HALF_LIVES_MS.LOCATION), 'Default; configurable'],
  ['half-life BIOMETRIC', days(DEFAULT_HALF_LIVES_MS.BIOMETRIC), 'Default; configurable'],
  ['half-life REGISTRY', days(DEFAULT_HALF_LIVES_MS.REGISTRY), 'Default; configurable'],
  ['TEL_BASE', k.TEL_BASE, 'Telecom sub-score before adjustments'],
  [
    'TEL_TENURE_LONG_DAYS / _BONUS',
    `${k.TEL_TENURE_LONG_DAYS} d / +${k.TEL_TENURE_LONG_BONUS}`,
    '`TEL_TENURE_LONG`',
  ],
  [
    'TEL_NUMBER_NEW_DAYS / _PENALTY',
    `${k.TEL_NUMBER_NEW_DAYS} d / −${k.TEL_NUMBER_NEW_PENALTY}`,
    '`TEL_NUMBER_NEW`',
  ],
  ['TEL_KYC_FULL_BONUS', `+${k.TEL_KYC_FULL_BONUS}`, '`TEL_KYC_MATCH`'],
  ['TEL_KYC_PARTIAL_PENALTY', `−${k.TEL_KYC_PARTIAL_PENALTY}`, '`TEL_KYC_MISMATCH` (PARTIAL)'],
  ['TEL_KYC_NONE_PENALTY', `−${k.TEL_KYC_NONE_PENALTY}`, '`TEL_KYC_MISMATCH` (NONE)'],
  ['TEL_VOIP_PENALTY', `−${k.TEL_VOIP_PENALTY}`, '`TEL_VOIP_LINE`'],
  [
    'TEL_SIM_SWAP_RECENT_HOURS / _PENALTY',
    `${k.TEL_SIM_SWAP_RECENT_HOURS} h / −${k.TEL_SIM_SWAP_PENALTY}`,
    '`TEL_SIM_SWAP_RECENT`, fading linearly to 0 over the window',
  ],
  [
    'TEL_SIM_SWAP_NEW_DEVICE_EXTRA',
    `−${k.TEL_SIM_SWAP_NEW_DEVICE_EXTRA}`,
    'Added when the handset also changed',
  ],
  [
    'TEL_PORT_RECENT_HOURS / TEL_PORT_PENALTY',
    `${k.TEL_PORT_RECENT_HOURS} h / −${k.TEL_PORT_PENALTY}`,
    '`TEL_PORTED_RECENT`, fading linearly',
  ],
  ['LOC_BASE', k.LOC_BASE, 'Location sub-score before adjustments'],
  ['LOC_HOME_RADIUS_KM / _BONUS', `${k.LOC_HOME_RADIUS_KM} km / +${k.LOC_HOME_BONUS}`, '`LOC_HOME_REGION`'],
  [
    'LOC_FAR_FROM_HOME_KM / _PENALTY',
    `${k.LOC_FAR_FROM_HOME_KM} km / −${k.LOC_FAR_FROM_HOME_PENALTY}`,
    '`LOC_FAR_FROM_HOME`',
  ],
  ['LOC_IMPOSSIBLE_TRAVEL_PENALTY', `−${k.LOC_IMPOSSIBLE_TRAVEL_PENALTY}`, '`LOC_IMPOSSIBLE_TRAVEL`'],
  [
    'LOC_LOW_ACCURACY_METERS / _PENALTY',
    `${k.LOC_LOW_ACCURACY_METERS} m / −${k.LOC_LOW_ACCURACY_PENALTY}`,
    '`LOC_LOW_ACCURACY`',
  ],
  [
    'IMPOSSIBLE_SPEED_KMH',
    `${f.IMPOSSIBLE_SPEED_KMH} km/h`,
    'Jump speed (net of accuracy radii) that is impossible',
  ],
  ['MIN_FIX_INTERVAL_MS', `${f.MIN_FIX_INTERVAL_MS} ms`, 'Shortest time used between two fixes'],
  ['TRAVEL_LOOKBACK_MS', hours(f.TRAVEL_LOOKBACK_MS), 'Impossible jumps counted over this past'],
  [
    'HOME_MIN_FIXES / HOME_MAX_FIXES',
    `${f.HOME_MIN_FIXES} / ${f.HOME_MAX_FIXES}`,
    'Home = median of accepted fixes',
  ],
  ['BIO_BASE', k.BIO_BASE, 'Biometric sub-score before adjustments'],
  [
    'BIO_STRONG_MATCH_MIN / _BONUS',
    `${k.BIO_STRONG_MATCH_MIN} / +${k.BIO_STRONG_MATCH_BONUS}`,
    '`BIO_STRONG_MATCH`',
  ],
  [
    'BIO_MATCH_LOW_BELOW / _PENALTY',
    `${k.BIO_MATCH_LOW_BELOW} / −${k.BIO_MATCH_LOW_PENALTY}`,
    '`BIO_MATCH_LOW`',
  ],
  [
    'BIO_LIVENESS_LOW_THRESHOLD / _PENALTY',
    `${k.BIO_LIVENESS_LOW_THRESHOLD} / −${k.BIO_LIVENESS_LOW_PENALTY}`,
    '`BIO_LIVENESS_LOW`',
  ],
  [
    'BIO_PRESENTATION_ATTACK_PENALTY',
    `−${k.BIO_PRESENTATION_ATTACK_PENALTY}`,
    '`BIO_PRESENTATION_ATTACK` (plus cap)',
  ],
  [
    'BIO_REPEATED_FAILURES_MIN / _PENALTY',
    `${k.BIO_REPEATED_FAILURES_MIN} / −${k.BIO_REPEATED_FAILURES_PENALTY}`,
    '`BIO_REPEATED_FAILURES` (failed attempts in 24 h)',
  ],
  [
    'BIO_FAILED_MATCH_BELOW',
    f.BIO_FAILED_MATCH_BELOW,
    'A failed attempt: match below this, or liveness low, or PAD',
  ],
  ['BIO_LIVE_CAPTURE_MIN_LIVENESS', f.BIO_LIVE_CAPTURE_MIN_LIVENESS, 'A live capture (lifts the attack cap)'],
  ['BIO_GOOD_CAPTURE_MIN_QUALITY', f.BIO_GOOD_CAPTURE_MIN_QUALITY, 'A live capture needs this quality'],
  ['REG_BASE', k.REG_BASE, 'Registry sub-score before adjustments'],
  [
    'REG_VERIFIED_NAME_MIN / _BONUS',
    `${k.REG_VERIFIED_NAME_MIN} / +${k.REG_VERIFIED_BONUS}`,
    '`REG_VERIFIED`',
  ],
  ['REG_NO_RECORD_PENALTY', `−${k.REG_NO_RECORD_PENALTY}`, '`REG_NO_RECORD`'],
  [
    'REG_NAME_MISMATCH_BELOW / _PENALTY',
    `${k.REG_NAME_MISMATCH_BELOW} / −${k.REG_NAME_MISMATCH_PENALTY}`,
    '`REG_NAME_MISMATCH`',
  ],
  ['REG_BIRTHDATE_MISMATCH_PENALTY', `−${k.REG_BIRTHDATE_MISMATCH_PENALTY}`, '`REG_BIRTHDATE_MISMATCH`'],
  ['REG_DOCUMENT_INVALID_PENALTY', `−${k.REG_DOCUMENT_INVALID_PENALTY}`, '`REG_DOCUMENT_INVALID`'],
  ['REG_DECEASED_PENALTY', `−${k.REG_DECEASED_PENALTY}`, '`REG_DECEASED` (plus cap)'],
  ['REG_SUSPENDED_PENALTY', `−${k.REG_SUSPENDED_PENALTY}`, '`REG_SUSPENDED` (plus cap)'],
  ['CAP_REGISTRY_STATUS', k.CAP_REGISTRY_STATUS, 'Confidence cap for DECEASED / SUSPENDED'],
  [
    'CAP_PRESENTATION_ATTACK',
    k.CAP_PRESENTATION_ATTACK,
    'Confidence cap for an unanswered presentation attack',
  ],
  ['ASSURANCE_HIGH_MIN_CONFIDENCE', k.ASSURANCE_HIGH_MIN_CONFIDENCE, 'HIGH'],
  [
    'ASSURANCE_HIGH_MAX_BIO_AGE_MS',
    hours(k.ASSURANCE_HIGH_MAX_BIO_AGE_MS),
    'HIGH: newest strong capture at most this old',
  ],
  ['ASSURANCE_SUBSTANTIAL_MIN_CONFIDENCE', k.ASSURANCE_SUBSTANTIAL_MIN_CONFIDENCE, 'SUBSTANTIAL'],
  ['ASSURANCE_LOW_MIN_CONFIDENCE', k.ASSURANCE_LOW_MIN_CONFIDENCE, 'LOW'],
];

/** The docs/scoring.md table of scoring constants (`rules-<RULES_VERSION>`). */
export function scoringConstantsTable(): string {
  const rows = SCORING_CONSTANT_ROWS.map(
    ([name, value, meaning]) => `| \`${name}\` | ${value} | ${meaning} |`,
  );
  return [`| constant (rules-${k.RULES_VERSION}) | value | meaning |`, '|---|---|---|', ...rows].join('\n');
}
