/**
 * `rollout-lab decide --policy FILE`: the production loop. Reads metric windows as JSON lines on
 * stdin and writes one decision per line on stdout (docs/decide.md documents both formats).
 */
import { compilePolicy } from '../../engine/controller/compilePolicy.ts';
import type { ControllerState } from '../../engine/controller/controllerState.ts';
import { initialState } from '../../engine/controller/controllerState.ts';
import type { DecisionReason } from '../../engine/controller/decision.ts';
import { step } from '../../engine/controller/step.ts';
import { parseWindowMetrics } from '../../engine/metrics/windowMetrics.ts';
import { formatPolicyError } from '../../engine/policy/parsePolicy.ts';
import type { AbMetric, Policy } from '../../engine/policy/policy.ts';
import { parseCommandArgs, parseNumber, stringOption, UsageError } from '../args.ts';
import { readPolicyDocument } from '../files.ts';
import type { CliIo, Command } from '../io.ts';
import { formatNumber, writeJson } from '../io.ts';
import { findJsonSyntaxError, prepareJsonText } from '../jsonText.ts';

/** Splits a stream of text chunks into lines (without the newline; a final unterminated line included). */
export async function* readLines(input: AsyncIterable<string | Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let pending = '';
  for await (const chunk of input) {
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      yield pending.slice(0, newline).replace(/\r$/, '');
      pending = pending.slice(newline + 1);
    }
  }
  pending += decoder.decode();
  if (pending.length > 0) yield pending.replace(/\r$/, '');
}

/** One A/B metric's verdict at a look, as `decide` writes it (`metrics[]` of a decision line). */
export interface MetricVerdictLine {
  name: string;
  role: AbMetric['role'] | null;
  kind: AbMetric['kind'] | null;
  verdict: NonNullable<DecisionReason['verdict']>;
  /** Candidate − control (CUPED-adjusted for a CUPED metric); null when the metric could not be tested yet. */
  difference: number | null;
  /** The minimum effect (success metrics) or the absolute non-inferiority margin (guardrails). */
  threshold: number | null;
  /** z of the metric's role test (superiority or non-inferiority) and its p-value (design-adjusted: abMetrics.ts). */
  z: number | null;
  pValue: number | null;
}

/**
 * The verdict of each metric of an A/B stage's metric list at this step (the reasons that carry
 * a `verdict`), with the metric's role and kind from the policy; empty when no look happened.
 */
export function metricVerdicts(policy: Policy, stageIndex: number, reasons: readonly DecisionReason[]): MetricVerdictLine[] {
  const stage = policy.stages[stageIndex];
  const listed = stage?.kind === 'ab' ? (stage.test.metrics ?? []) : [];
  return reasons
    .filter((reason) => reason.verdict !== undefined)
    .map((reason) => {
      const metric = listed.find((candidate) => candidate.name === reason.metric);
      return {
        name: reason.metric,
        role: metric?.role ?? null,
        kind: metric?.kind ?? null,
        verdict: reason.verdict!,
        difference: reason.observed,
        threshold: reason.threshold,
        z: reason.statistic ?? null,
        pValue: reason.pValue ?? null,
      };
    });
}

const verdictWords: Record<MetricVerdictLine['verdict'], string> = {
  improved: 'improved',
  'not-improved': 'not improved',
  'non-inferior': 'non-inferior',
  'inferiority-not-excluded': 'non-inferiority not shown',
  deteriorated: 'significantly worse',
};

/**
 * `--text`: a decision for people — the decision and the candidate's share, each A/B metric's
 * verdict with its z and p, then every reason's sentence.
 */
export function decisionText(
  line: number,
  time: number,
  stage: string,
  decision: string,
  candidateTraffic: number,
  metrics: readonly MetricVerdictLine[],
  reasons: readonly DecisionReason[],
): string {
  const lines = [`line ${line}, t = ${formatNumber(time)} s, ${stage}: ${decision} (candidate ${formatNumber(candidateTraffic * 100)}%)`];
  for (const metric of metrics) {
    const numbers = metric.z === null ? '' : ` — z ${formatNumber(metric.z)}, p ${formatNumber(metric.pValue ?? 1)}`;
    lines.push(`  ${metric.name} (${metric.kind ?? '?'}, ${metric.role ?? '?'}): ${verdictWords[metric.verdict]}${numbers}`);
  }
  for (const reason of reasons) if (reason.verdict === undefined) lines.push(`  · ${reason.message}`);
  return `${lines.join('\n')}\n`;
}

/**
 * Feeds each window line to `step`, carrying the controller state across lines, and writes
 * `{ line, time, stage, kind, decision, candidateTraffic, metrics?, reasons }` per window, `metrics`
 * when an A/B stage's metric list looked at this window (`metricVerdicts`); with `--text`, the same
 * for people (`decisionText`), and a malformed line as its one-line message. A malformed line
 * (not JSON, or not a valid window) writes `{ line, error, problems: [{ path, message }] }`
 * instead, leaves the state unchanged, and processing CONTINUES with the next line (a monitoring
 * hiccup should not stop the loop); the exit code is then 2. Blank lines are skipped.
 * A/B metric values may come per window (added over the stage: user-windows) or cumulative per
 * user since the stage started (`valuesSince` on the arm: each line's values replace the last's,
 * the unit being the user over the whole test; a pipeline's per-user aggregates since exposure).
 */
export const decideCommand: Command = {
  name: 'decide',
  summary: 'read metric windows as JSON lines on stdin, write one rollout decision per line',
  usage: 'decide --policy FILE [--start SECONDS] [--text]',
  async run(argv, io: CliIo) {
    const args = parseCommandArgs(argv, { policy: { type: 'string' }, start: { type: 'string' }, text: { type: 'boolean' } });
    const text = args.values.text === true;
    const file = stringOption(args, 'policy');
    const start = args.values.start === undefined ? undefined : parseNumber(String(args.values.start), '--start');
    const parsed = readPolicyDocument(file);
    if (!parsed.ok) {
      io.stderr.write(`rollout-lab decide: ${file} is not a valid policy:\n`);
      for (const error of parsed.errors) io.stderr.write(`  ${formatPolicyError(error)}\n`);
      return 2;
    }
    const policy = parsed.policy;
    compilePolicy(policy);
    if (!io.stdin) {
      io.stderr.write('rollout-lab decide: no input: pipe metric windows as JSON lines on stdin\n');
      return 2;
    }
    let state: ControllerState | undefined;
    let lineNumber = 0;
    let malformed = 0;
    for await (const line of readLines(io.stdin)) {
      lineNumber++;
      if (line.trim() === '') continue;
      let json: unknown;
      try {
        json = JSON.parse(prepareJsonText(line, `line ${lineNumber}`));
      } catch (error) {
        malformed++;
        let message: string;
        if (error instanceof UsageError) {
          // Nested too deep (prepareJsonText names the line); the recursive syntax scan must not see it.
          message = error.message;
        } else {
          const found = findJsonSyntaxError(line);
          const detail = found ? `at column ${found.offset + 1}: ${found.reason}` : (error as Error).message.split('\n')[0];
          message = `line ${lineNumber}: not valid JSON ${detail}`;
        }
        if (text) io.stdout.write(`${message}\n`);
        else writeJson(io, { line: lineNumber, error: message, problems: [{ path: '(line)', message: 'not valid JSON' }] });
        io.stderr.write(`rollout-lab decide: ${message}\n`);
        continue;
      }
      const window = parseWindowMetrics(json);
      if (!window.ok) {
        malformed++;
        const message = `line ${lineNumber}: ${window.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`;
        if (text) io.stdout.write(`${message}\n`);
        else writeJson(io, { line: lineNumber, error: message, problems: window.errors });
        io.stderr.write(`rollout-lab decide: ${message}\n`);
        continue;
      }
      state ??= initialState(policy, start ?? window.window.startTime);
      const result = step(state, [window.window], policy);
      const event = state.events[state.events.length - 1];
      const metrics = metricVerdicts(policy, event.stageIndex, result.reasons);
      if (text) {
        io.stdout.write(
          decisionText(lineNumber, event.time, event.stage, result.decision, state.candidateTraffic, metrics, result.reasons),
        );
        continue;
      }
      writeJson(io, {
        line: lineNumber,
        time: event.time,
        stage: event.stage,
        kind: event.kind,
        decision: result.decision,
        candidateTraffic: state.candidateTraffic,
        ...(metrics.length > 0 ? { metrics } : {}),
        reasons: result.reasons,
      });
    }
    return malformed > 0 ? 2 : 0;
  },
};
