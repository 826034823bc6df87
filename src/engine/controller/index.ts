/** The stage controller: compile a policy, start a rollout, step it with windows, kill it. */
export * from './armTotals.ts';
export * from './compilePolicy.ts';
export * from './controllerState.ts';
export * from './decision.ts';
export * from './failureCount.ts';
export * from './sequentialTests.ts';
export * from './step.ts';
