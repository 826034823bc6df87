/** Rollout policies: the document's types, helpers that compose it, validation, the default. */
export * from './policy.ts';
export * from './duration.ts';
export * from './healthRules.ts';
export * from './stages.ts';
export * from './parsePolicy.ts';
export * from './defaultPolicy.ts';
