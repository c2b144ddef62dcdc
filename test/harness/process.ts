// One long-lived child process (mosquitto, influxd) with its output in a log file, a readiness wait
// and a graceful stop. The services differ only in config and in how readiness is probed.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { trackChild } from './cleanup.js';

export interface ServiceSpec {
  /** Used in error messages: 'mosquitto', 'influxd'. */
  name: string;
  bin: string;
  args: string[];
  /** The child's stdout and stderr are appended here. */
  outputFile: string;
  /** Files the service writes itself (e.g. mosquitto's log_dest file): their tails go into errors too. */
  extraLogFiles?: string[];
}

export interface ReadyProbe {
  /** Gets the child's pid so it can check that the answering socket is the child's. */
  isReady: (pid: number) => Promise<boolean>;
  timeoutMs: number;
}

const POLL_MS = 50;
const STOP_GRACE_MS = 15_000;
const TAIL_LINES = 30;

export class ServiceProcess {
  private child: ChildProcess | undefined;
  private exit: Promise<void> = Promise.resolve();
  private exitReason: string | undefined;

  constructor(private readonly spec: ServiceSpec) {}

  get running(): boolean {
    return this.child !== undefined && this.exitReason === undefined;
  }

  /** Spawns the service and resolves once `probe` says it serves; on failure the error holds the log tail. */
  async start(probe: ReadyProbe): Promise<void> {
    if (this.running) return;
    this.spawnChild();
    const deadline = Date.now() + probe.timeoutMs;
    for (;;) {
      // Exit is checked before and after the probe: a service that failed to start may be exiting
      // while the probe runs.
      const pid = this.child?.pid;
      if (pid !== undefined && this.exitReason === undefined && (await probe.isReady(pid))) {
        if (this.exitReason === undefined) return;
      }
      if (this.exitReason !== undefined) throw this.startError(`exited during start-up (${this.exitReason})`);
      if (Date.now() > deadline) {
        await this.stop();
        throw this.startError(`was not ready after ${probe.timeoutMs} ms`);
      }
      await sleep(POLL_MS);
    }
  }

  /** SIGTERM (mosquitto saves its persistence db, influxd closes its shards), SIGKILL if it hangs. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined || this.exitReason !== undefined) return;
    child.kill('SIGTERM');
    // The grace timer is cancelled on exit: a pending 15 s timer would hold the test process open.
    const grace = new AbortController();
    const timedOut = await Promise.race([
      this.exit.then(() => false),
      sleep(STOP_GRACE_MS, true, { signal: grace.signal }).catch(() => false),
    ]);
    grace.abort();
    if (timedOut) {
      child.kill('SIGKILL');
      await this.exit;
    }
  }

  /** Last lines of the output file and of every extra log file, labelled, for error messages. */
  tail(lines = TAIL_LINES): string {
    const files = [this.spec.outputFile, ...(this.spec.extraLogFiles ?? [])];
    return files
      .filter((file) => existsSync(file))
      .map((file) => {
        const text = lastLines(readFileSync(file, 'utf8'), lines);
        return `--- last ${lines} lines of ${basename(file)} ---\n${text}`;
      })
      .join('\n');
  }

  private spawnChild(): void {
    // The child writes straight into the file: no pipe that fills up when nobody reads it, and the
    // output survives even if this process dies first.
    const out = openSync(this.spec.outputFile, 'a');
    try {
      const child = spawn(this.spec.bin, this.spec.args, { stdio: ['ignore', out, out] });
      this.child = child;
      this.exitReason = undefined;
      this.exit = new Promise((resolve) => {
        child.once('exit', (code, signal) => {
          this.exitReason = signal !== null ? `signal ${signal}` : `exit code ${code ?? 'unknown'}`;
          resolve();
        });
        // spawn failures (ENOENT, EACCES) arrive as 'error' and never as 'exit'.
        child.once('error', (err) => {
          this.exitReason = `spawn failed: ${err.message}`;
          resolve();
        });
      });
      trackChild(child);
    } finally {
      closeSync(out);
    }
  }

  private startError(what: string): Error {
    const command = [this.spec.bin, ...this.spec.args].join(' ');
    return new Error(`${this.spec.name} ${what}\ncommand: ${command}\n${this.tail()}`);
  }
}

function lastLines(text: string, count: number): string {
  const lines = text.trimEnd().split('\n');
  return lines.slice(-count).join('\n');
}
