/**
 * The published JSON Schemas, generated from the engine's field tables (src/engine/validation):
 * `scenarios/policy.schema.json` from `policyFields` (src/engine/policy/policyFields.ts) and
 * `scenarios/scenario.schema.json` from `scenarioFields` (src/sim/scenarioFields.ts) — the same tables
 * the parsers check with, so a constraint is written once and the schemas cannot drift.
 *
 * `npm run schemas` writes them (it runs test/scripts/generateSchemas.test.ts with
 * WRITE_SCHEMAS=1, the test runner being the project's way to run TypeScript); without it the
 * same test fails when a committed schema differs from the generated one.
 */
import { policyFields, policySchemaHeader } from '../src/engine/policy/policyFields.ts';
import { jsonSchemaOf } from '../src/engine/validation/jsonSchemaOf.ts';
import { scenarioFields, scenarioSchemaHeader } from '../src/sim/scenarioFields.ts';

/** The schema files, by path from the root of the tree, as their exact text (2-space JSON and a final newline). */
export function schemaFiles(): Record<string, string> {
  return {
    'scenarios/policy.schema.json': `${JSON.stringify(jsonSchemaOf(policyFields, policySchemaHeader), null, 2)}\n`,
    'scenarios/scenario.schema.json': `${JSON.stringify(jsonSchemaOf(scenarioFields, scenarioSchemaHeader), null, 2)}\n`,
  };
}
