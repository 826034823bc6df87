/**
 * The committed JSON Schemas are exactly the ones generated from the engine's field tables, so
 * a constraint changed in a table and not republished fails here. `npm run schemas` (this file
 * with WRITE_SCHEMAS=1) rewrites them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { schemaFiles } from '../../scripts/generateSchemas.ts';

describe('generated schemas', () => {
  it.each(Object.entries(schemaFiles()))('%s equals the schema generated from its field table', (path, text) => {
    if (process.env.WRITE_SCHEMAS === '1') writeFileSync(path, text);
    expect(readFileSync(path, 'utf8')).toBe(text);
  });
});
