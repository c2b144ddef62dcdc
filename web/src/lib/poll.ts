/**
 * A refresh loop for answers the page asks for (the rig list every 5 s, the hour's efficiency every
 * 60 s). The next run is scheduled when the previous one has finished, so a slow server gets one
 * request at a time, never a pile of overlapping ones.
 */
export interface Poller {
  /** Run now (after a reconnect, say); while a run is in flight, run once more right after it. */
  kick(): void;
  stop(): void;
}

export interface PollTimers {
  set(callback: () => void, ms: number): number;
  clear(handle: number): void;
}

const browserTimers: PollTimers = {
  set: (callback, ms) => window.setTimeout(callback, ms),
  clear: (handle) => window.clearTimeout(handle),
};

/** Runs `task` at once and then `intervalMs` after each run ends. `task` handles its own errors. */
export function poll(task: () => Promise<void>, intervalMs: number, timers: PollTimers = browserTimers): Poller {
  let timer: number | null = null;
  let running = false;
  let again = false;
  let stopped = false;

  const run = (): void => {
    timer = null;
    running = true;
    void task()
      .catch(() => undefined)
      .finally(() => {
        running = false;
        if (stopped) return;
        if (again) {
          again = false;
          run();
        } else {
          timer = timers.set(run, intervalMs);
        }
      });
  };

  run();
  return {
    kick() {
      if (stopped) return;
      if (running) {
        again = true;
        return;
      }
      if (timer !== null) timers.clear(timer);
      run();
    },
    stop() {
      stopped = true;
      if (timer !== null) timers.clear(timer);
      timer = null;
    },
  };
}

/** Whether the page is on screen, and a way to hear when that changes. */
export interface Visibility {
  hidden(): boolean;
  onChange(listener: () => void): () => void;
}

const documentVisibility: Visibility = {
  hidden: () => document.hidden,
  onChange(listener) {
    document.addEventListener('visibilitychange', listener);
    return () => document.removeEventListener('visibilitychange', listener);
  },
};

/**
 * `poll`, but runs are skipped while the tab is hidden — an unwatched page should not keep asking
 * the server for an hour of every rig — and a skipped run is made up as soon as the page is back.
 */
export function pollWhileVisible(
  task: () => Promise<void>,
  intervalMs: number,
  visibility: Visibility = documentVisibility,
  timers: PollTimers = browserTimers,
): Poller {
  let skipped = false;
  const poller = poll(
    async () => {
      if (visibility.hidden()) {
        skipped = true;
        return;
      }
      await task();
    },
    intervalMs,
    timers,
  );
  const off = visibility.onChange(() => {
    if (visibility.hidden() || !skipped) return;
    skipped = false;
    poller.kick();
  });
  return {
    kick: () => poller.kick(),
    stop() {
      off();
      poller.stop();
    },
  };
}
