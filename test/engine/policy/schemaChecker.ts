/**
 * A tiny JSON Schema (draft 2020-12) checker for the keywords the generated schemas in
 * `scenarios/` use (src/engine/validation/jsonSchemaOf.ts): type, const, enum, properties,
 * required, additionalProperties (false or a schema), minProperties, items, minItems,
 * minimum/maximum, exclusiveMinimum/exclusiveMaximum, minLength, pattern, oneOf, not, $ref to
 * #/$defs. No Ajv in the project; written independently of the generator, it checks that what
 * the generator publishes means what the parsers check (test/engine/validation/schemaAgreement.test.ts).
 */
type Schema = Record<string, any>;

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** Returns the paths that fail, empty when `value` is valid. */
export function schemaErrors(value: unknown, schema: Schema, root: Schema = schema, path = ''): string[] {
  if (schema.$ref) {
    const name = String(schema.$ref).replace('#/$defs/', '');
    return schemaErrors(value, root.$defs[name], root, path);
  }
  const errors: string[] = [];
  const at = path || '(root)';
  if (schema.oneOf) {
    const passing = (schema.oneOf as Schema[]).filter((option) => schemaErrors(value, option, root, path).length === 0).length;
    if (passing !== 1) errors.push(`${at}: matches ${passing} of oneOf`);
  }
  if (schema.not && schemaErrors(value, schema.not, root, path).length === 0) errors.push(`${at}: matches not`);
  if ('const' in schema && value !== schema.const) errors.push(`${at}: must be ${JSON.stringify(schema.const)}`);
  if (schema.enum && !schema.enum.includes(value)) errors.push(`${at}: must be one of ${schema.enum.join(', ')}`);
  if (schema.type) {
    const actual = typeOf(value);
    const ok = actual === schema.type || (schema.type === 'number' && actual === 'integer');
    if (!ok) return [...errors, `${at}: must be ${schema.type}`];
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${at}: < minimum`);
    if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${at}: > maximum`);
    if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) errors.push(`${at}: <= exclusiveMinimum`);
    if (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum) errors.push(`${at}: >= exclusiveMaximum`);
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) errors.push(`${at}: too short`);
    if (schema.pattern && !new RegExp(schema.pattern, 'u').test(value)) errors.push(`${at}: does not match pattern`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) errors.push(`${at}: too few items`);
    if (schema.items) value.forEach((item, i) => errors.push(...schemaErrors(item, schema.items, root, `${path}[${i}]`)));
  }
  if (typeOf(value) === 'object') {
    const object = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (!(key in object)) errors.push(`${path ? path + '.' : ''}${key}: required`);
    if (schema.minProperties !== undefined && Object.keys(object).length < schema.minProperties) errors.push(`${at}: too few properties`);
    for (const [key, child] of Object.entries(object)) {
      const childPath = path ? `${path}.${key}` : key;
      if (schema.properties && Object.hasOwn(schema.properties, key))
        errors.push(...schemaErrors(child, schema.properties[key], root, childPath));
      else if (schema.additionalProperties === false) errors.push(`${childPath}: unknown field`);
      else if (typeof schema.additionalProperties === 'object')
        errors.push(...schemaErrors(child, schema.additionalProperties, root, childPath));
    }
  }
  return errors;
}
