/** Rollout policies: the document's types, helpers that compose and edit it (stage rules, knobs), validation, the default. */

export * from './defaultPolicy.ts';
export * from './duration.ts';
export * from './healthRules.ts';
export * from './parsePolicy.ts';
export * from './policy.ts';
export * from './policyKnobs.ts';
export * from './stageRules.ts';
export * from './stages.ts';
