import { describe, expect, it } from 'vitest';
import {
  arrayField,
  booleanField,
  choiceField,
  constantField,
  durationField,
  eitherField,
  fieldValue,
  jsonSchemaOf,
  mapField,
  numberField,
  objectField,
  textField,
  validateDocument,
  variantsField,
} from '../../../src/engine/validation/index.ts';

const shape = variantsField(
  'kind',
  {
    circle: objectField({ kind: constantField('circle'), radius: numberField({ required: true, min: 0, exclusiveMin: true }) }),
    square: objectField({ kind: constantField('square'), side: numberField({ required: true, min: 0, exclusiveMin: true }) }),
  },
  { refused: { triangle: 'must not be a triangle here' } },
);

const table = objectField(
  {
    version: constantField(1, { required: true, requiredHint: '1' }),
    name: textField({ required: true, nonEmpty: true, description: 'What to call it.' }),
    share: numberField({ min: 0, max: 1, exclusiveMin: true, exclusiveMax: true, atExclusiveMax: 'must be below 1: use a full stage' }),
    count: numberField({ min: 1, integer: true, default: 100 }),
    mode: choiceField(['fast', 'slow']),
    on: booleanField(),
    wait: durationField({ positive: true, default: '5m' }),
    shapes: arrayField(shape, { minItems: 1, tooFew: 'must list at least one shape', expected: 'an array of shapes' }),
    weights: mapField(numberField({ min: 0 }), { nonEmpty: 'must list at least one weight' }),
    seed: eitherField([numberField({ integer: true }), textField({ nonEmpty: true })]),
  },
  {
    check: (value, _path, report, failed) => {
      if (!failed.has('share') && value.mode === 'slow' && typeof value.share === 'number' && value.share > 0.5)
        report('share', 'must be at most 0.5 in slow mode');
    },
  },
);

const problems = (value: unknown) => validateDocument(value, table).map((p) => `${p.path || '(root)'}: ${p.message}`);

describe('validateDocument', () => {
  it('accepts a valid document', () => {
    expect(
      problems({ version: 1, name: 'x', share: 0.5, shapes: [{ kind: 'circle', radius: 1 }], weights: { a: 1 }, seed: 'release' }),
    ).toEqual([]);
  });

  it('names the path and the reason of each per-field problem, in table order, unknown fields first', () => {
    expect(
      problems({
        colour: 'red',
        version: 2,
        name: ' ',
        share: 1.5,
        count: 2.5,
        mode: 'medium',
        on: 'yes',
        wait: '0s',
        shapes: [{ kind: 'circle' }, { kind: 'triangle' }, { kind: 'hexagon' }, { radius: 2 }, { kind: 'square', side: 1, colour: 'red' }],
        weights: { a: -1 },
        seed: 1.5,
      }),
    ).toEqual([
      "colour: unknown field 'colour' (allowed: version, name, share, count, mode, on, wait, shapes, weights, seed)",
      'version: must be 1, got 2',
      'name: must be a non-empty string, got " "',
      'share: must be between 0 and 1 (exclusive), got 1.5',
      'count: must be a whole number, got 2.5',
      "mode: must be one of 'fast', 'slow', got \"medium\"",
      'on: must be true or false, got "yes"',
      'wait: must be longer than 0, got "0s"',
      'shapes[0].radius: is required',
      'shapes[1]: must not be a triangle here',
      "shapes[2].kind: must be one of 'circle', 'square', got \"hexagon\"",
      "shapes[3].kind: is required: one of 'circle', 'square'",
      "shapes[4].colour: unknown field 'colour' (allowed: kind, side)",
      'weights.a: must be at least 0, got -1',
      'seed: must be a whole number, got 1.5',
    ]);
  });

  it('reports missing, empty and mistyped containers, and runs cross-field hooks', () => {
    expect(problems(null)).toEqual(['(root): must be an object, got null']);
    expect(problems({ share: 1, shapes: [], weights: {}, seed: true })).toEqual([
      'version: is required: 1',
      'name: is required',
      'share: must be below 1: use a full stage',
      'shapes: must list at least one shape',
      'weights: must list at least one weight',
      'seed: must be a whole number or a non-empty string, got true',
    ]);
    expect(problems({ version: 1, name: 'x', shapes: {}, wait: 'soon' })).toEqual([
      'wait: must be a number of seconds (≥ 0) or a duration like "90s", "5m", "24h", got "soon"',
      'shapes: must be an array of shapes, got an object',
    ]);
    expect(problems({ version: 1, name: 'x', mode: 'slow', share: 0.7 })).toEqual(['share: must be at most 0.5 in slow mode']);
  });

  it('reads defaults from the table, durations in seconds', () => {
    expect(fieldValue({}, table, 'count')).toBe(100);
    expect(fieldValue({ count: 3 }, table, 'count')).toBe(3);
    expect(fieldValue({}, table, 'wait')).toBe(300);
    expect(fieldValue({ wait: '1h30m' }, table, 'wait')).toBe(5400);
    expect(fieldValue({}, table, 'mode')).toBeUndefined();
    expect(() => fieldValue({}, table, 'nope')).toThrow("'nope' is not a field of this table");
  });
});

describe('jsonSchemaOf', () => {
  it('publishes the same table as a draft 2020-12 schema', () => {
    const schema = jsonSchemaOf(
      objectField({
        shape: { ...shape, definition: 'shape' },
        count: table.fields.count,
        wait: table.fields.wait,
        name: table.fields.name,
        seed: table.fields.seed,
      }),
      {
        $id: 'https://example.org/s.json',
        title: 'T',
        description: 'D',
      },
    );
    expect(schema).toEqual({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: 'https://example.org/s.json',
      title: 'T',
      description: 'D',
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: {
        shape: { $ref: '#/$defs/shape' },
        count: { type: 'integer', minimum: 1, default: 100 },
        wait: { $ref: '#/$defs/positiveDuration', default: '5m' },
        name: { description: 'What to call it.', type: 'string', minLength: 1, pattern: '\\S' },
        seed: { oneOf: [{ type: 'integer' }, { type: 'string', minLength: 1, pattern: '\\S' }] },
      },
      $defs: {
        positiveDuration: expect.objectContaining({ oneOf: expect.any(Array) }),
        shape: {
          oneOf: [
            {
              type: 'object',
              additionalProperties: false,
              required: ['kind', 'radius'],
              properties: { kind: { const: 'circle' }, radius: { type: 'number', exclusiveMinimum: 0 } },
            },
            {
              type: 'object',
              additionalProperties: false,
              required: ['kind', 'side'],
              properties: { kind: { const: 'square' }, side: { type: 'number', exclusiveMinimum: 0 } },
            },
          ],
        },
      },
    });
  });

  it('refuses two different specs under one definition name', () => {
    const a = objectField({ x: numberField() }, { definition: 'thing' });
    const b = objectField({ y: numberField() }, { definition: 'thing' });
    expect(() => jsonSchemaOf(objectField({ a, b }), { $id: 'x', title: 'x', description: 'x' })).toThrow(
      'two different specs are published as $defs/thing',
    );
  });
});
