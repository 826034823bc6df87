/**
 * Browser Web Worker entry of the log importer (bundled by Vite as a module worker, started by
 * `logImportClient.ts`): serves the log-import endpoint over Comlink.
 */
import { expose } from 'comlink';
import { createLogImportEndpoint } from './logImportEndpoint.ts';

expose(createLogImportEndpoint());
