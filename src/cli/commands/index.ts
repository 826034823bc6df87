import type { Command } from '../io.ts';

/** Every CLI command, in the order `--help` lists them. */
export const commands: Command[] = [];
