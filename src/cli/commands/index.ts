import type { Command } from '../io.ts';
import { boundariesCommand } from './boundaries.ts';
import { compareCommand } from './compare.ts';
import { decideCommand } from './decide.ts';
import { policyDefaultCommand, policyValidateCommand } from './policy.ts';
import { segmentsCommand } from './segments.ts';
import { sizeCommand } from './size.ts';
import { srmCommand } from './srm.ts';

/** Every CLI command, in the order `--help` lists them. */
export const commands: Command[] = [sizeCommand, compareCommand, srmCommand, boundariesCommand, segmentsCommand, policyValidateCommand, policyDefaultCommand, decideCommand];
