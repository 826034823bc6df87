import type { Command } from '../io.ts';
import { compareCommand } from './compare.ts';
import { segmentsCommand } from './segments.ts';
import { sizeCommand } from './size.ts';
import { srmCommand } from './srm.ts';

/** Every CLI command, in the order `--help` lists them. */
export const commands: Command[] = [sizeCommand, compareCommand, srmCommand, segmentsCommand];
