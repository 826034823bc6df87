import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * Plays a sequence of frames (window indices 0 … length − 1): `play`, `pause`, `step(±1)`,
 * `seek`, and a speed in frames per tick (10 ticks a second). Stops at the last frame. The timer
 * stops when the host leaves the page. `onChange` is told every new position (the view saves it).
 */
export class PlaybackClock implements ReactiveController {
  position = 0;
  length = 0;
  /** Frames advanced per tick. */
  speed = 1;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly onChange: (position: number) => void = () => {},
    private readonly tickMs = 100,
  ) {
    host.addController(this);
  }

  hostDisconnected(): void {
    this.pause();
  }

  get playing(): boolean {
    return this.timer !== undefined;
  }

  /** Sets the number of frames (a new rollout), keeping the position inside it. */
  load(length: number, position = 0): void {
    this.length = length;
    this.position = Math.max(0, Math.min(length - 1, position));
  }

  play(): void {
    if (this.playing || this.length === 0) return;
    if (this.position >= this.length - 1) this.seek(0);
    this.timer = setInterval(() => {
      this.seek(this.position + this.speed);
      if (this.position >= this.length - 1) this.pause();
    }, this.tickMs);
    this.host.requestUpdate();
  }

  pause(): void {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.host.requestUpdate();
  }

  /** Moves by `frames` (negative: back). */
  step(frames: number): void {
    this.seek(this.position + frames);
  }

  seek(position: number): void {
    const next = Math.max(0, Math.min(this.length - 1, Math.round(position)));
    if (next === this.position) return;
    this.position = next;
    this.onChange(next);
    this.host.requestUpdate();
  }
}
