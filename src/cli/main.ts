/**
 * `rollout-lab`: the command line over the engine and the simulator.
 *
 * Every command prints a human-readable summary by default and one JSON object with `--json`.
 * A user mistake prints one line naming the argument and exits with code 2.
 */
import { UsageError } from './args.ts';
import { commands } from './commands/index.ts';
import type { CliIo, Command } from './io.ts';

function help(list: Command[]): string {
  const width = Math.max(...list.map((c) => c.name.length));
  return [
    'rollout-lab — size, test and simulate model rollouts',
    '',
    'usage: rollout-lab <command> [options]   (rollout-lab <command> --help for its options)',
    '',
    ...list.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
  ].join('\n');
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(help(commands));
    return name === undefined ? 2 : 0;
  }
  // Commands may have two words ("policy validate"): match the longest name first.
  const command = commands.find((c) => c.name === `${name} ${rest[0]}`) ?? commands.find((c) => c.name === name);
  if (!command) {
    // The first word of two-word commands ("log" of "log inspect"): its commands' usage.
    const group = commands.filter((c) => c.name.startsWith(`${name} `));
    if (group.length > 0 && (rest.length === 0 || rest[0] === '--help' || rest[0] === '-h')) {
      io.stdout.write(group.map((c) => `usage: rollout-lab ${c.usage}\n\n${c.summary}\n`).join('\n'));
      return rest.length === 0 ? 2 : 0;
    }
    io.stderr.write(`rollout-lab: unknown command '${name}' (see rollout-lab --help)\n`);
    return 2;
  }
  const commandArgs = command.name.includes(' ') ? rest.slice(1) : rest;
  if (commandArgs.includes('--help') || commandArgs.includes('-h')) {
    io.stdout.write(`usage: rollout-lab ${command.usage}\n\n${command.summary}\n`);
    return 0;
  }
  try {
    return await command.run(commandArgs, io);
  } catch (error) {
    if (error instanceof UsageError || error instanceof RangeError) {
      io.stderr.write(`rollout-lab ${command.name}: ${error.message}\n`);
      return 2;
    }
    // An unexpected failure is still one line for the user; the stack only on request.
    io.stderr.write(`rollout-lab ${command.name}: internal error: ${(error as Error).message}\n`);
    if (process.env.ROLLOUT_LAB_DEBUG) io.stderr.write(`${(error as Error).stack}\n`);
    return 1;
  }
}
