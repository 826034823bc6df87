import { describe, expect, it } from 'vitest';
import { guessColumnMapping, parseColumnMapping, resolveColumnMapping } from '../../../src/sim/replay/columnMapping.ts';

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

describe('guessColumnMapping', () => {
  it('maps the sample log as the notebook does', () => {
    expect(guessColumnMapping(['timestamp', 'latency_ms', 'status', 'segment', 'user'])).toEqual({
      timestamp: 'timestamp',
      latency: 'latency_ms',
      status: 'status',
      segment: 'segment',
      user: 'user',
    });
  });

  it('finds looser names, uses each column once and leaves unknown fields out', () => {
    expect(guessColumnMapping(['request_time', 'response_time_ms', 'http_status', 'model_version', 'customer_id', 'extra'])).toEqual({
      timestamp: 'request_time',
      latency: 'response_time_ms',
      status: 'http_status',
      model: 'model_version',
      user: 'customer_id',
    });
    expect(guessColumnMapping(['a', 'b'])).toEqual({});
  });

  // The columns of the LLM serving-cluster log of issue 12: the duration column holds "time" in
  // its name and comes first; the old guess took it for the timestamp.
  const servingColumns = ['job_id', 'user_id', 'exec_time_seconds', 'gmt_create', 'status'];
  const servingRows = [
    ['j-1', 'u-7', '12.5', '2023-08-01 10:00:00', 'SUCCEED'],
    ['j-2', 'u-3', '0.4', '2023-08-01 10:00:07', 'FAILED'],
    ['j-3', 'u-7', '301', '2023-08-01 10:01:12', 'SUCCEED'],
  ];
  it('takes gmt_create for the timestamp and exec_time_seconds for the latency, by name alone', () => {
    expect(guessColumnMapping(servingColumns)).toEqual({
      timestamp: 'gmt_create',
      latency: 'exec_time_seconds',
      status: 'status',
      user: 'user_id',
    });
  });

  it('agrees when it also reads the values', () => {
    expect(guessColumnMapping(servingColumns, servingRows)).toEqual({
      timestamp: 'gmt_create',
      latency: 'exec_time_seconds',
      status: 'status',
      user: 'user_id',
    });
  });

  it('never takes a duration-named column for the timestamp, even when nothing else fits', () => {
    expect(guessColumnMapping(['exec_time_seconds', 'response_time', 'state'])).toEqual({
      latency: 'exec_time_seconds',
      status: 'state',
    });
  });

  it('prefers a column whose values read as moments over one whose values are durations', () => {
    // 'time' holds 0.25 and 1.5: epoch seconds in January 1970, so durations, not moments.
    const rows = [
      ['0.25', '2024-03-05T14:07:09Z', '200'],
      ['1.5', '2024-03-05T14:07:10Z', '500'],
    ];
    expect(guessColumnMapping(['time', 'start_time', 'code'], rows)).toEqual({ timestamp: 'start_time', status: 'code' });
    // Epoch seconds of 2024 are moments.
    expect(
      guessColumnMapping(
        ['ts', 'took'],
        [
          ['1709647629', '0.3'],
          ['1709647630', '1.2'],
        ],
      ),
    ).toEqual({ timestamp: 'ts', latency: 'took' });
  });

  it('leaves the timestamp out when the time-like column holds no moments, and the latency when it holds no numbers', () => {
    expect(
      guessColumnMapping(
        ['created', 'latency'],
        [
          ['yes', 'n/a'],
          ['no', 'slow'],
        ],
      ),
    ).toEqual({});
  });
});
