/** The audit of a team's own rollout at its traffic (issue 14): its worlds, its numbers stage by stage, and the tuned replacement. */
export * from './auditInputs.ts';
export * from './auditRollout.ts';
export * from './auditScenario.ts';
export * from './auditTuneFiles.ts';
export * from './auditTuning.ts';
