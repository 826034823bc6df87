import type { Command } from '../io.ts';
import { auditCommand } from './audit.ts';
import { boundariesCommand } from './boundaries.ts';
import { compareCommand } from './compare.ts';
import { decideCommand } from './decide.ts';
import { logInspectCommand } from './logInspect.ts';
import { mergeCommand } from './merge.ts';
import { policyDefaultCommand, policyValidateCommand } from './policy.ts';
import { policyExportCommand } from './policyExport.ts';
import { policyImportCommand } from './policyImport.ts';
import { replayCommand } from './replay.ts';
import { segmentsCommand } from './segments.ts';
import { serveCommand } from './serve.ts';
import { simulateCommand } from './simulate.ts';
import { sizeCommand } from './size.ts';
import { srmCommand } from './srm.ts';
import { sweepCommand } from './sweep.ts';
import { tuneCommand } from './tune.ts';

/** Every CLI command, in the order `--help` lists them. */
export const commands: Command[] = [
  sizeCommand,
  compareCommand,
  srmCommand,
  boundariesCommand,
  segmentsCommand,
  policyValidateCommand,
  policyDefaultCommand,
  policyExportCommand,
  policyImportCommand,
  decideCommand,
  serveCommand,
  simulateCommand,
  sweepCommand,
  tuneCommand,
  auditCommand,
  mergeCommand,
  logInspectCommand,
  replayCommand,
];
