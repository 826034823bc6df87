/**
 * Browser Web Worker entry of the rollback-rules workers (bundled by Vite as a module worker, see
 * `rollbackRulesInWorker.ts`): serves the rollback-rules endpoint over Comlink.
 */
import { expose } from 'comlink';
import { createRollbackRulesEndpoint } from './rollbackRulesEndpoint.ts';

expose(createRollbackRulesEndpoint());
