/**
 * Importing a rollout a team already runs: Argo Rollouts (argoImport.ts) or Flagger
 * (flaggerImport.ts) YAML → a Rollout Lab policy and a report (importTypes.ts). Pure: the CLI and
 * the app read the files and pass their text.
 */
import { importArgo } from './argoImport.ts';
import { importFlagger } from './flaggerImport.ts';
import type { ImportInput, ImportOptions, ImportResult, ImportSource } from './importTypes.ts';
import { ImportError } from './importTypes.ts';
import type { SourceDocument } from './yamlDocuments.ts';
import { readYamlDocuments, resourceName } from './yamlDocuments.ts';

export type * from './importTypes.ts';
export { formatLocation, ImportError } from './importTypes.ts';
export type { SourceDocument } from './yamlDocuments.ts';
export { readYamlDocuments } from './yamlDocuments.ts';

/** Which system documents belong to: an `argoproj.io` Rollout, or a `flagger.app` Canary. */
function sourceOf(documents: readonly SourceDocument[]): ImportSource {
  const argo = documents.some((doc) => doc.kind === 'Rollout' && doc.apiVersion.startsWith('argoproj.io/'));
  const flagger = documents.some((doc) => doc.kind === 'Canary' && doc.apiVersion.startsWith('flagger.app/'));
  if (argo && flagger) {
    throw new ImportError(
      { file: documents[0].file },
      'the files hold both an Argo Rollout and a Flagger Canary; import one at a time (or pass --from)',
    );
  }
  if (argo) return 'argo';
  if (flagger) return 'flagger';
  throw new ImportError(
    { file: [...new Set(documents.map((doc) => doc.file))].join(', ') },
    `no Argo Rollouts Rollout (argoproj.io) or Flagger Canary (flagger.app) among the documents (found ${documents.map(resourceName).join(', ')})`,
  );
}

/** The system `inputs` are for, from their documents' `apiVersion` and `kind`. Throws ImportError (bad YAML, neither). */
export function detectImportSource(inputs: ImportInput[]): ImportSource {
  return sourceOf(readYamlDocuments(inputs));
}

/**
 * Reads `inputs` (one or more YAML files) and imports the rollout they describe as a policy with
 * its report. `options.from` chooses the system (detected when absent), `options.map` names which
 * of the user's metrics is which health metric. Throws ImportError: one line naming the file,
 * document and field.
 */
export function importRollout(inputs: ImportInput[], options: ImportOptions = {}): ImportResult {
  const documents = readYamlDocuments(inputs);
  const source = options.from ?? sourceOf(documents);
  return source === 'argo' ? importArgo(documents, options) : importFlagger(documents, options);
}
