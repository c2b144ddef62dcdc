/**
 * A sleep another part can cut short: a background worker idles until the timeout, or until someone
 * tells it there is work (new readings spooled, new minutes marked dirty).
 */
export class WakeableSleep {
  private wakeUp: (() => void) | null = null;

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wakeUp = null;
        resolve();
      }
      this.wakeUp = done;
    });
  }

  /** End the current sleep now; without one, nothing happens. */
  wake(): void {
    this.wakeUp?.();
  }
}
