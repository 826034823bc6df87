import { describe, expect, it } from 'vitest';
import { parseColumnMapping, resolveColumnMapping } from '../../../src/sim/replay/columnMapping.ts';

describe('parseColumnMapping', () => {
  it('parses field=COLUMN pairs, trimming names and lower-casing fields', () => {
    expect(parseColumnMapping(' Timestamp = Time Stamp ,latency=lat_ms,status=code,model=version')).toEqual({
      timestamp: 'Time Stamp',
      latency: 'lat_ms',
      status: 'code',
      model: 'version',
    });
  });
  it('names an unknown field and lists the valid ones', () => {
    expect(() => parseColumnMapping('timestamp=a,latency=b,status=c,region=d')).toThrow(
      "mapping field 'region' is unknown; the fields are timestamp, latency, status, model, segment, user",
    );
  });
  it('requires timestamp, latency and status', () => {
    expect(() => parseColumnMapping('timestamp=a')).toThrow('mapping must name a column for latency, status');
    expect(() => parseColumnMapping('')).toThrow(/empty mapping/);
  });
  it('rejects duplicates, empty columns and items without =', () => {
    expect(() => parseColumnMapping('timestamp=a,timestamp=b,latency=c,status=d')).toThrow("'timestamp' is given twice");
    expect(() => parseColumnMapping('timestamp=,latency=c,status=d')).toThrow("'timestamp' must name a column");
    expect(() => parseColumnMapping('timestamp,latency=c,status=d')).toThrow("'timestamp' must have the form field=COLUMN");
  });
});

describe('resolveColumnMapping', () => {
  const mapping = parseColumnMapping('timestamp=time stamp,latency=Latency_MS,status=STATUS,user=User-ID');
  it('matches header names ignoring case, surrounding spaces and _/-/space differences', () => {
    const resolved = resolveColumnMapping(mapping, ['Time Stamp', 'latency ms', 'Status', 'user_id']);
    expect(resolved.timestamp).toEqual({ name: 'Time Stamp', index: 0, path: ['Time Stamp'] });
    expect(resolved.latency?.index).toBe(1);
    expect(resolved.status?.index).toBe(2);
    expect(resolved.user?.index).toBe(3);
    expect(resolved.model).toBeUndefined();
  });
  it('names every unknown column and lists the available ones', () => {
    expect(() => resolveColumnMapping(mapping, ['ts', 'latency ms', 'code'])).toThrow(
      "mapping names columns the log does not have: timestamp=time stamp, status=STATUS, user=User-ID; available columns: 'ts', 'latency ms', 'code'",
    );
  });
  it('prefers an exact match and refuses an ambiguous one', () => {
    const exact = resolveColumnMapping(parseColumnMapping('timestamp=ts,latency=Lat,status=s'), ['ts', 'lat', 'Lat', 's']);
    expect(exact.latency?.index).toBe(2);
    expect(() => resolveColumnMapping(parseColumnMapping('timestamp=ts,latency=LAT,status=s'), ['ts', 'lat', 'Lat', 's'])).toThrow(
      "mapping column 'LAT' for latency matches several columns: 'lat', 'Lat'",
    );
  });
  it('resolves JSON key paths', () => {
    const resolved = resolveColumnMapping(
      parseColumnMapping('timestamp=ts,latency=req.latency_us,status=req.status'),
      ['ts', 'req.latency_us', 'req.status'],
      true,
    );
    expect(resolved.latency).toEqual({ name: 'req.latency_us', index: -1, path: ['req', 'latency_us'] });
  });
});
