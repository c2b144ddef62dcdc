/**
 * Coalesces repeated requests into one call on the next animation frame. Data arrives whenever the
 * socket delivers it; the DOM and the canvases change at most once per painted frame, and not at
 * all while the tab is hidden (the browser pauses requestAnimationFrame; the bounded series keep
 * filling, and the first visible frame draws the latest state once).
 */
export interface FrameTask {
  /** Ask for one run on the next frame; repeated requests before it runs are merged. */
  request(): void;
  /** Drop a pending run (on unmount). */
  cancel(): void;
}

export interface FrameClock {
  request(callback: () => void): number;
  cancel(handle: number): void;
}

function browserClock(): FrameClock {
  return {
    request: (callback) => requestAnimationFrame(() => callback()),
    cancel: (handle) => cancelAnimationFrame(handle),
  };
}

export function frameTask(run: () => void, clock: FrameClock = browserClock()): FrameTask {
  let pending: number | null = null;
  return {
    request() {
      if (pending !== null) return;
      pending = clock.request(() => {
        pending = null;
        run();
      });
    },
    cancel() {
      if (pending === null) return;
      clock.cancel(pending);
      pending = null;
    },
  };
}
