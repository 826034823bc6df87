/**
 * Types of Comlink 4.4.2's Node adapter, `comlink/dist/esm/node-adapter.mjs`. The package ships
 * `node-adapter.d.ts` beside it, but TypeScript looks for `.d.mts` next to an `.mjs` import, so
 * the declaration is restated here (same shape as the package's, without DOM types so it
 * compiles under the CLI's Node-only configuration).
 */
declare module 'comlink/dist/esm/node-adapter.mjs' {
  import type { Endpoint } from 'comlink';

  /** What the adapter needs of a Node `MessagePort` / `Worker`. */
  export interface NodeEndpoint {
    postMessage(message: unknown, transfer?: readonly unknown[]): void;
    on(type: string, listener: (...args: any[]) => void, options?: object): void;
    off(type: string, listener: (...args: any[]) => void, options?: object): void;
    start?: () => void;
  }

  /** Wraps a Node endpoint as the `addEventListener`-style endpoint Comlink expects. */
  export default function nodeEndpoint(nep: NodeEndpoint): Endpoint;
}
