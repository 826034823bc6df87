/**
 * `rollout-lab policy validate FILE` and `rollout-lab policy default`. The file is read by
 * src/cli/files.ts: a failure to read it or parse it is one line naming the file (and, for JSON,
 * line and column).
 */
import { defaultPolicy } from '../../engine/policy/defaultPolicy.ts';
import { formatPolicyError } from '../../engine/policy/parsePolicy.ts';
import { parseCommandArgs, UsageError } from '../args.ts';
import { readPolicyDocument } from '../files.ts';
import type { Command } from '../io.ts';
import { writeJson } from '../io.ts';

/**
 * Validates a policy file. Exit 0 and `valid` when valid; exit 2 listing each problem as
 * `path: message` (stdout) when not; exit 2 with one line naming the file when it cannot be read
 * or is not JSON (with the line and column). `--json`: `{ file, valid, errors }`.
 */
export const policyValidateCommand: Command = {
  name: 'policy validate',
  summary: 'check a rollout policy file and list every problem by JSON path',
  usage: 'policy validate FILE [--json]',
  async run(argv, io) {
    const args = parseCommandArgs(argv, {}, 1);
    const file = args.positionals[0];
    if (file === undefined) throw new UsageError('FILE is required (the policy JSON to validate)');
    const result = readPolicyDocument(file);
    if (args.values.json) {
      writeJson(io, { file, valid: result.ok, errors: result.ok ? [] : result.errors });
      return result.ok ? 0 : 2;
    }
    if (result.ok) {
      io.stdout.write(`${file}: valid\n`);
      return 0;
    }
    io.stdout.write(`${file}: ${result.errors.length} problem${result.errors.length === 1 ? '' : 's'}\n`);
    for (const error of result.errors) io.stdout.write(`  ${formatPolicyError(error)}\n`);
    return 2;
  },
};

/** Prints the built-in default policy (pretty JSON; one line with `--json`). */
export const policyDefaultCommand: Command = {
  name: 'policy default',
  summary: "print the framework's default rollout policy as JSON",
  usage: 'policy default [--json]',
  run(argv, io) {
    const args = parseCommandArgs(argv, {});
    if (args.values.json) writeJson(io, defaultPolicy());
    else io.stdout.write(JSON.stringify(defaultPolicy(), null, 2) + '\n');
    return 0;
  },
};
