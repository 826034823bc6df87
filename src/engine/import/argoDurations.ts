/**
 * Durations as Argo Rollouts writes them: a metric's `interval` / `initialDelay` are Go
 * durations (`time.ParseDuration`: `5m`, `1h30m`, `90s`, `500ms`), a step's `pause.duration` a
 * number of seconds or a string with one unit s, m or h (argo-rollouts
 * `pkg/apis/rollouts/v1alpha1/types.go` `DurationString`, docs/features/canary.md).
 */
import { formatDuration } from '../policy/duration.ts';

const goUnits: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
const goDurationPattern = /^([0-9]+(\.[0-9]*)?(ns|us|µs|ms|s|m|h))+$/;

/** Seconds of a Go duration (`1h30m` → 5400); undefined when it is not one. */
export function goDurationSeconds(text: unknown): number | undefined {
  if (typeof text !== 'string' || !goDurationPattern.test(text)) return undefined;
  let seconds = 0;
  for (const match of text.matchAll(/([0-9]+(?:\.[0-9]*)?)(ns|us|µs|ms|s|m|h)/g)) seconds += Number(match[1]) * goUnits[match[2]];
  return seconds;
}

/** Seconds of a pause duration (`30` or `"30"` seconds, `"30s"`, `"10m"`, `"1h"`); undefined when it is not one. */
export function pauseDurationSeconds(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = /^([0-9]+)(s|m|h)?$/.exec(value.trim());
  if (!match) return undefined;
  return Number(match[1]) * (match[2] === 'h' ? 3600 : match[2] === 'm' ? 60 : 1);
}

/** A number of seconds as a Go duration / pause string (`5400` → `1h30m`). */
export function argoDurationText(seconds: number): string {
  return formatDuration(seconds);
}
