/**
 * Parameter checks shared by the samplers (internal; not re-exported). Each throws once, at
 * sampler creation, with a message naming the parameter and the reason.
 */
import type { Random } from './prng.ts';

export function checkRandom(random: Random): void {
  if (typeof random !== 'function') {
    throw new TypeError('random must be a function returning numbers in [0, 1)');
  }
}

export function checkFinite(name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RangeError(`${name} must be a finite number, got ${value}`);
  }
}

export function checkPositive(name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${name} must be a finite number greater than 0, got ${value}`);
  }
}

export function checkNonNegative(name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`${name} must be a finite number at least 0, got ${value}`);
  }
}
