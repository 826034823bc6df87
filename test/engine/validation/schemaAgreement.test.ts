/**
 * The published schemas mean what the parsers check. For mutations of valid documents (test/fuzz's
 * structure-aware mutator, a fixed fast-check seed): a document passes the generated schema
 * exactly when it passes the parser's per-field rules (the field table with its cross-field hooks
 * removed), and whatever the schema refuses the parser refuses. The schema is read by the test's
 * own draft-2020-12 checker, written independently of the generator.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseWindowMetrics, windowFields } from '../../../src/engine/metrics/windowMetrics.ts';
import { defaultPolicy } from '../../../src/engine/policy/defaultPolicy.ts';
import { parsePolicy } from '../../../src/engine/policy/parsePolicy.ts';
import { policyFields } from '../../../src/engine/policy/policyFields.ts';
import type { FieldSpec } from '../../../src/engine/validation/fieldSpec.ts';
import { jsonSchemaOf } from '../../../src/engine/validation/jsonSchemaOf.ts';
import { validateDocument } from '../../../src/engine/validation/validateDocument.ts';
import { parseScenario } from '../../../src/sim/scenario.ts';
import { scenarioFields } from '../../../src/sim/scenarioFields.ts';
import { mutatedDocument } from '../../fuzz/mutate.ts';
import { schemaErrors } from '../policy/schemaChecker.ts';

/** The same table without its cross-field hooks: the per-field rules alone. */
function perFieldOnly(spec: FieldSpec): FieldSpec {
  switch (spec.kind) {
    case 'object':
      return {
        ...spec,
        check: undefined,
        fields: Object.fromEntries(Object.entries(spec.fields).map(([key, field]) => [key, perFieldOnly(field)])),
      };
    case 'map':
      return { ...spec, check: undefined, values: perFieldOnly(spec.values) };
    case 'array':
      return { ...spec, check: undefined, items: perFieldOnly(spec.items) };
    case 'variants':
      return {
        ...spec,
        variants: Object.fromEntries(Object.entries(spec.variants).map(([key, variant]) => [key, perFieldOnly(variant) as typeof variant])),
      };
    case 'either':
      return { ...spec, options: spec.options.map(perFieldOnly) };
    default:
      return spec;
  }
}

const json = (value: unknown) => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));
const runs = { seed: 20261204, numRuns: 600 };

const cases = [
  {
    name: 'policy',
    document: defaultPolicy(),
    schema: JSON.parse(readFileSync('scenarios/policy.schema.json', 'utf8')),
    fields: policyFields,
    parses: (value: unknown) => parsePolicy(value).ok,
  },
  {
    name: 'scenario',
    document: JSON.parse(readFileSync('scenarios/library/drift-after-three-months.json', 'utf8')),
    schema: JSON.parse(readFileSync('scenarios/scenario.schema.json', 'utf8')),
    fields: scenarioFields,
    parses: (value: unknown) => parseScenario(value).ok,
  },
  {
    name: 'scenario with metric values',
    document: JSON.parse(readFileSync('scenarios/ab-metrics-longer-answers.json', 'utf8')),
    schema: JSON.parse(readFileSync('scenarios/scenario.schema.json', 'utf8')),
    fields: scenarioFields,
    parses: (value: unknown) => parseScenario(value).ok,
  },
  {
    name: 'window',
    document: {
      startTime: 0,
      duration: 300,
      control: {
        requests: 100,
        errors: 1,
        timeouts: 0,
        latency: { p50: 80, p95: 200, p99: 400 },
        segments: { mobile: { requests: 60, errors: 1, timeouts: 0 } },
      },
      candidate: {
        requests: 10,
        errors: 0,
        timeouts: 0,
        successes: 8,
        outcomes: 9,
        agreements: 9,
        compared: 10,
        inputs: { score: [3, 4, 3] },
      },
    },
    schema: jsonSchemaOf(windowFields, { $id: 'window', title: 'window', description: 'window' }),
    fields: windowFields,
    parses: (value: unknown) => parseWindowMetrics(value).ok,
  },
];

describe.each(cases)('$name: the generated schema and the parser', ({ document, schema, fields, parses }) => {
  const perField = perFieldOnly(fields);

  it('accept the valid document', () => {
    expect(schemaErrors(document, schema)).toEqual([]);
    expect(parses(document)).toBe(true);
  });

  it('agree on the per-field rules of every mutation, and the parser refuses all the schema refuses', () => {
    let refused = 0;
    fc.assert(
      fc.property(mutatedDocument(document, 3), (mutated) => {
        const value = json(mutated);
        const schemaOk = schemaErrors(value, schema).length === 0;
        expect(validateDocument(value, perField).length === 0, JSON.stringify(value)).toBe(schemaOk);
        if (!schemaOk) {
          refused += 1;
          expect(parses(value)).toBe(false);
        }
      }),
      runs,
    );
    // The mutations reach both sides of the line.
    expect(refused).toBeGreaterThan(100);
    expect(refused).toBeLessThan(runs.numRuns);
  });
});
