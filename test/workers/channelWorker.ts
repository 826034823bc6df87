/**
 * A stand-in for a Web Worker in Node tests of the page's worker clients (keptWorker.ts,
 * labExactInWorker.ts): the endpoint is exposed over Comlink on one end of a `MessageChannel` in
 * this thread, the client talks to the other end as it talks to a `Worker` — the same messages,
 * structured clones and Comlink proxies. `terminate()` closes both ends (the endpoint hears
 * nothing more, as a terminated worker); `crash(message)` fires the `error` event a worker that
 * failed to load or crashed fires.
 */
import { expose } from 'comlink';

export class ChannelWorker {
  terminated = false;
  private readonly page: MessagePort;
  private readonly inside: MessagePort;
  private readonly errors = new EventTarget();

  constructor(endpoint: object) {
    const { port1, port2 } = new MessageChannel();
    this.page = port1;
    this.inside = port2;
    expose(endpoint, port2 as unknown as Parameters<typeof expose>[1]);
  }

  postMessage(message: unknown, transfer: Transferable[] = []): void {
    if (!this.terminated) this.page.postMessage(message, transfer);
  }

  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: AddEventListenerOptions): void {
    if (type === 'error') this.errors.addEventListener(type, listener, options);
    else this.page.addEventListener(type, listener as EventListener, options);
  }

  removeEventListener(type: string, listener: EventListenerOrEventListenerObject): void {
    if (type === 'error') this.errors.removeEventListener(type, listener);
    else this.page.removeEventListener(type, listener as EventListener);
  }

  start(): void {
    this.page.start();
  }

  terminate(): void {
    this.terminated = true;
    this.page.close();
    this.inside.close();
  }

  /** Fires the `error` event of a worker that failed (its `message` as a browser gives it). */
  crash(message: string): void {
    const event = new Event('error') as Event & { message: string };
    event.message = message;
    this.errors.dispatchEvent(event);
  }

  /** As the page's code sees it. */
  asWorker(): Worker {
    return this as unknown as Worker;
  }
}
