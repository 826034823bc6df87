import { describe, expect, it } from 'vitest';
import { lookBoundary, lookFractionGrid, lookInformationFraction } from '../../../src/engine/controller/lookBoundaries.ts';
import { groupSequentialBoundaries } from '../../../src/engine/stats/groupSequential.ts';

describe('lookInformationFraction', () => {
  it('rounds a non-final look to the nearest multiple of 1/200', () => {
    expect(lookFractionGrid).toBe(200);
    expect(lookInformationFraction(0.2062, 0)).toBe(0.205);
    expect(lookInformationFraction(0.2076, 0)).toBe(0.21);
    expect(lookInformationFraction(0.4, 0.2)).toBe(0.4);
  });

  it('stays strictly above the previous look, and below 1 (else exact)', () => {
    expect(lookInformationFraction(0.4011, 0.4)).toBe(0.405);
    expect(lookInformationFraction(0.9961, 0.99)).toBe(0.995);
    expect(lookInformationFraction(0.9991, 0.99)).toBe(0.9991); // rounds to 1: kept exact
    // No grid point strictly between 0.995 and 1: the exact fraction is kept.
    expect(lookInformationFraction(0.9991, 0.995)).toBe(0.9991);
    expect(lookInformationFraction(0.99, 0.995)).toBe(0.995 + 1e-9);
  });
});

describe('lookBoundary', () => {
  it('is the Lan–DeMets boundary of the design at the rounded fractions (rpact 3.3.4)', () => {
    // rpact 3.3.4 getDesignGroupSequential(typeOfDesign = "asOF", alpha = 0.05, sided = 2,
    // informationRates = c(0.205, 0.41, 0.615, 0.82, 1))$criticalValues (scripts/reference/lookBoundaries.R); agreement 1e-6 as groupSequential.ts states:
    // 4.8137838187, 3.3114086762, 2.6430009976, 2.2577953115, 2.0378161147; and with
    // informationRates = c(0.205, 1): 4.8137838187, 1.9599686190.
    expect(lookBoundary([0.205], false, 0.05, 'obrienFleming')).toBeCloseTo(4.8137838187, 5);
    expect(lookBoundary([0.205, 0.41], false, 0.05, 'obrienFleming')).toBeCloseTo(3.3114086762, 5);
    expect(lookBoundary([0.205, 0.41, 0.615, 0.82, 1], true, 0.05, 'obrienFleming')).toBeCloseTo(2.0378161147, 5);
    expect(lookBoundary([0.205, 1], true, 0.05, 'obrienFleming')).toBeCloseTo(1.959968619, 5);
    // asP, same rates: 2.4302499993, 2.4201378599, 2.4042826518, 2.3913170770, 2.3958581612.
    expect(lookBoundary([0.205, 0.41, 0.615], false, 0.05, 'pocock')).toBeCloseTo(2.4042826518, 5);
  });

  it('equals groupSequentialBoundaries exactly, cached or not', () => {
    const fractions = [0.215, 0.43, 0.65];
    const direct = groupSequentialBoundaries({ informationFractions: [...fractions, 1], alpha: 0.1, sides: 2, spending: 'pocock' }).z[2];
    expect(lookBoundary(fractions, false, 0.1, 'pocock')).toBe(direct);
    expect(lookBoundary([...fractions], false, 0.1, 'pocock')).toBe(direct); // cached
    // The same fractions as a final look spend all of α: a different (lower) boundary.
    const final = groupSequentialBoundaries({ informationFractions: [0.215, 0.43, 1], alpha: 0.1, sides: 2, spending: 'pocock' }).z[2];
    expect(lookBoundary([0.215, 0.43, 1], true, 0.1, 'pocock')).toBe(final);
    // The open look at 0.65 spends only α(0.65): a higher boundary than the final look at 1.
    expect(direct).toBeGreaterThan(final);
  });
});
