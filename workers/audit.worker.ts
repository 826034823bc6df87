/**
 * Browser Web Worker entry of the app's audit worker (bundled by Vite as a module worker, started
 * by `auditInWorker.ts`): serves the audit endpoint over Comlink.
 */
import { expose } from 'comlink';
import { auditEndpoint } from './auditEndpoint.ts';

expose(auditEndpoint);
