/**
 * The version of the engine and simulator that produced a result, written into partial results
 * so that `merge` refuses to combine shards that different versions simulated (their replicate
 * streams or rules may differ). The UI's export names the same version (src/ui/export/policyExport.ts).
 */
import packageJson from '../../package.json' with { type: 'json' };

/** `rollout-lab <package version>`. */
export const engineVersion = `rollout-lab ${packageJson.version}`;
