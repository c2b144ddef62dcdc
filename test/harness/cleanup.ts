// Last-resort cleanup: whatever a failing or interrupted test leaves running is killed when the test
// process goes away, so no stray mosquitto/influxd outlives the run and holds ports or temp dirs.
import { rmSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';

const children = new Set<ChildProcess>();
const dirs = new Set<string>();
let hooked = false;

export function trackChild(child: ChildProcess): void {
  hookProcessExit();
  children.add(child);
  child.once('exit', () => children.delete(child));
}

export function trackDir(dir: string): void {
  hookProcessExit();
  dirs.add(dir);
}

export function removeDir(dir: string): void {
  dirs.delete(dir);
  rmSync(dir, { recursive: true, force: true });
}

// Runs inside 'exit', where only synchronous work happens: no time for a graceful SIGTERM.
function killAllSync(): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  for (const dir of dirs) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // A child killed a moment ago may still be writing into it; a leftover temp dir is harmless.
    }
  }
  dirs.clear();
}

function hookProcessExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', killAllSync);
  // 'exit' does not fire when a signal kills the process, so clean up on the usual ones too.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAllSync();
      // Re-raise only if nobody else listens (then the default action ends the process as it would
      // have without us); otherwise vitest's own handler decides how to exit.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}
