/**
 * Simulated time for the loopback FIS server. Simulated durations run `timeScale` times as long
 * in wall-clock time (0.001: a one-minute experiment ends after 60 ms), and the timestamps the
 * server reports come from a clock that runs at the same speed: an experiment that ran a
 * simulated minute has `endTime - startTime == 60` even when it took 60 ms. Every timer is
 * tracked, and `dispose()` clears them all (no open handles after `close()`).
 */
export class SimClock {
  private readonly wallStart = Date.now();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sleepers = new Set<() => void>();
  private disposed = false;

  constructor(
    readonly timeScale: number,
    /** The simulated time at the start, in epoch milliseconds (default: now). */
    private readonly simStart: number = Date.now(),
  ) {
    if (!(timeScale > 0) || !Number.isFinite(timeScale))
      throw new Error(`timeScale must be a positive number, got ${timeScale}`);
  }

  /** Simulated now, in epoch milliseconds. */
  now(): number {
    return this.simStart + (Date.now() - this.wallStart) / this.timeScale;
  }

  /** Simulated now as restJson1 puts it on the wire: epoch seconds with milliseconds. */
  epochSeconds(): number {
    return Math.round(this.now()) / 1000;
  }

  /** Runs `fn` after `simMs` of simulated time; returns a cancel function. */
  after(simMs: number, fn: () => void): () => void {
    if (this.disposed) return () => undefined;
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        fn();
      },
      Math.max(0, simMs * this.timeScale),
    );
    this.timers.add(timer);
    return () => {
      clearTimeout(timer);
      this.timers.delete(timer);
    };
  }

  /** Waits `wallMs` of wall-clock time (latency faults); resolves at once after dispose(). */
  sleep(wallMs: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.disposed || wallMs <= 0) {
        resolve();
        return;
      }
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.sleepers.delete(resolve);
        resolve();
      }, wallMs);
      this.timers.add(timer);
      this.sleepers.add(resolve);
    });
  }

  /** Clears every pending timer; later `after` calls do nothing. */
  dispose(): void {
    this.disposed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const r of this.sleepers) r();
    this.sleepers.clear();
  }

  /** How many timers are pending (for tests of the cleanup). */
  pending(): number {
    return this.timers.size;
  }
}
