// The one tabular import path (src/sim/csvTable.ts, Arquero's fromCSV). Expected values are the
// literal cells of the small CSVs written here.
import { describe, expect, it } from 'vitest';
import { readCsvTable } from '../../src/sim/csvTable.ts';

describe('readCsvTable', () => {
  it('reads RFC 4180 quoting, CRLF and a byte-order mark, as trimmed text', () => {
    const table = readCsvTable('\ufeffname, count\r\n"mobile, EU",10\r\n"say ""hi""", 7 \r\n"two\nlines",3\r\n', 'x.csv');
    expect(table.columns).toEqual(['name', 'count']);
    expect(table.rowCount).toBe(3);
    expect(table.values('name')).toEqual(['mobile, EU', 'say "hi"', 'two\nlines']);
    expect(table.values('count')).toEqual(['10', '7', '3']);
  });
  it('skips blank lines; short rows read as empty cells, fields past the header are ignored', () => {
    const table = readCsvTable('a,b\n1,2\n\n3\n4,5,6\n', 'x.csv');
    expect(table.rowCount).toBe(3);
    expect(table.values('a')).toEqual(['1', '3', '4']);
    expect(table.values('b')).toEqual(['2', '', '5']);
  });
  it('names header-less columns col1, col2, …', () => {
    const table = readCsvTable('1,2\n3,4\n', 'x.csv', { header: false });
    expect(table.columns).toEqual(['col1', 'col2']);
    expect(table.values('col2')).toEqual(['2', '4']);
  });
  it('refuses what Arquero would take silently, naming the file', () => {
    expect(() => readCsvTable('a,b,a\n1,2,3\n', 'x.csv')).toThrow("x.csv: the header names the column 'a' twice");
    expect(() => readCsvTable('a,,c\n1,2,3\n', 'x.csv')).toThrow('x.csv: column 2 of the header has no name');
    expect(() => readCsvTable(' \n\n', 'x.csv')).toThrow('x.csv is empty');
    expect(() => readCsvTable('a\n1\n', 'x.csv').values('b')).toThrow("x.csv has no column 'b' (its columns are a)");
  });
});
