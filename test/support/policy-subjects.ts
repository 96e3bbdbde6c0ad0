/**
 * Scripted subjects for the policy tests: situations as changes to the good subject of evidence-factory.ts
 * (at its fixed time T0), with the outcome each shipped policy must give. The unit tests decide them on
 * rules scores at T0; the integration tests replay them through Kafka and Redis, shifted to the real clock.
 */
import type { Outcome } from '../../src/policy/evaluate-policy.js';
import { biometric, goodArrivals, hoursAgo, registry, telecom, type Arrivals } from './evidence-factory.js';

export const SHIPPED_POLICY_IDS = [
  'hospital.outpatient-checkin',
  'insurer.claim-payout',
  'social-insurance.pension-eligibility',
  'telecom.sim-replacement',
] as const;

export type ShippedPolicyId = (typeof SHIPPED_POLICY_IDS)[number];

export interface ScriptedSubject {
  readonly name: string;
  readonly arrivals: Arrivals;
  readonly expected: Readonly<Record<ShippedPolicyId, Outcome>>;
}

export const SCRIPTED_SUBJECTS: readonly ScriptedSubject[] = [
  {
    name: 'established, everything fresh and verified',
    arrivals: goodArrivals(),
    expected: {
      'hospital.outpatient-checkin': 'ALLOW',
      'insurer.claim-payout': 'ALLOW',
      'social-insurance.pension-eligibility': 'ALLOW',
      'telecom.sim-replacement': 'ALLOW',
    },
  },
  {
    name: 'last biometric capture 30 days ago',
    arrivals: goodArrivals({ biometric: [biometric({ observedAt: hoursAgo(30 * 24) })] }),
    expected: {
      'hospital.outpatient-checkin': 'STEP_UP',
      'insurer.claim-payout': 'STEP_UP',
      'social-insurance.pension-eligibility': 'ALLOW',
      'telecom.sim-replacement': 'STEP_UP',
    },
  },
  {
    name: 'SIM swapped an hour ago',
    arrivals: goodArrivals({ telecom: [telecom({ simSwappedAt: hoursAgo(1) })] }),
    expected: {
      'hospital.outpatient-checkin': 'ALLOW',
      'insurer.claim-payout': 'DENY',
      'social-insurance.pension-eligibility': 'ALLOW',
      'telecom.sim-replacement': 'STEP_UP',
    },
  },
  {
    name: 'registry reports death',
    arrivals: goodArrivals({ registry: [registry({ status: 'DECEASED' })] }),
    expected: {
      'hospital.outpatient-checkin': 'DENY',
      'insurer.claim-payout': 'DENY',
      'social-insurance.pension-eligibility': 'DENY',
      'telecom.sim-replacement': 'DENY',
    },
  },
  {
    name: 'presentation attack at the last capture',
    arrivals: goodArrivals({ biometric: [biometric({ presentationAttack: true, livenessScore: 0.2 })] }),
    expected: {
      'hospital.outpatient-checkin': 'DENY',
      'insurer.claim-payout': 'DENY',
      'social-insurance.pension-eligibility': 'DENY',
      'telecom.sim-replacement': 'DENY',
    },
  },
  {
    name: 'no biometric and no registry evidence',
    arrivals: { telecom: goodArrivals().telecom, location: goodArrivals().location },
    expected: {
      'hospital.outpatient-checkin': 'STEP_UP',
      'insurer.claim-payout': 'STEP_UP',
      'social-insurance.pension-eligibility': 'STEP_UP',
      'telecom.sim-replacement': 'STEP_UP',
    },
  },
];
