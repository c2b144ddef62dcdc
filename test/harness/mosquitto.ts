// A private Mosquitto for one test file: own port, own temp dir, own persistence. The system broker
// that may be listening on 1883 is never touched.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { findBinary } from './binaries.js';
import { removeDir, trackDir } from './cleanup.js';
import { freePort, retryOnPortClash, tcpAccepts } from './ports.js';
import { ownsListeningPort } from './listening.js';
import { ServiceProcess, type ReadyProbe } from './process.js';

export interface MosquittoOptions {
  /** Keep sessions and queued QoS 1/2 messages on disk across restart(). Default true. */
  persistence?: boolean;
  /** Per-client queue bound. Default 1,000,000: Mosquitto's own default (1000) silently drops QoS 1. */
  maxQueued?: number;
  /**
   * Settings that replace `allow_anonymous true` (password_file, acl_file, and the listener's
   * cafile/certfile/keyfile). With `tls` the URL is mqtts://.
   */
  security?: { lines: string[]; tls?: boolean };
}

export interface MosquittoHandle {
  /** mqtt://127.0.0.1:PORT */
  url: string;
  port: number;
  /** Temp dir with mosquitto.conf, the persistence db and the logs; removed by stop(). */
  dir: string;
  /** SIGTERM, wait for exit, remove the temp dir. The handle is finished afterwards. */
  stop(): Promise<void>;
  /** Stop and start again on the same port and persistence dir: persistent sessions survive. */
  restart(): Promise<void>;
  /** Broker log plus the process's own stdout/stderr. Still readable after stop(). */
  logs(): string;
}

const MISSING = 'mosquitto not found on PATH — install it: apt-get install mosquitto';
const READY_TIMEOUT_MS = 20_000;

export async function startMosquitto(opts: MosquittoOptions = {}): Promise<MosquittoHandle> {
  const bin = findBinary('mosquitto', MISSING);
  const dir = await mkdtemp(join(tmpdir(), 'kilowatch-mosquitto-'));
  trackDir(dir);
  const confFile = join(dir, 'mosquitto.conf');
  const brokerLog = join(dir, 'mosquitto.log');
  const service = new ServiceProcess({
    name: 'mosquitto',
    bin,
    args: ['-c', confFile],
    outputFile: join(dir, 'process.log'),
    extraLogFiles: [brokerLog],
  });
  let port: number;
  try {
    port = await retryOnPortClash(async () => {
      const candidate = await freePort();
      await writeFile(confFile, mosquittoConf({ port: candidate, dir, brokerLog, ...opts }));
      await service.start(readyProbe(candidate));
      return candidate;
    });
  } catch (err) {
    removeDir(dir);
    throw err;
  }
  return handle(service, dir, port, opts.security?.tls);
}

function handle(service: ServiceProcess, dir: string, port: number, tls = false): MosquittoHandle {
  let stopped = false;
  let finalLogs = '';
  const logs = (): string => (stopped ? finalLogs : readLogs(dir));
  return {
    url: `${tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${port}`,
    port,
    dir,
    logs,
    async stop() {
      if (stopped) return;
      await service.stop();
      finalLogs = readLogs(dir);
      stopped = true;
      removeDir(dir);
    },
    async restart() {
      if (stopped) throw new Error('mosquitto restart() after stop(): the temp dir is gone');
      await service.stop();
      await service.start(readyProbe(port));
    },
  };
}

function readyProbe(port: number): ReadyProbe {
  // Owning the listening socket tells our broker apart from another one that took the port first.
  return {
    isReady: async (pid) => ownsListeningPort(pid, port) && (await tcpAccepts(port)),
    timeoutMs: READY_TIMEOUT_MS,
  };
}

function readLogs(dir: string): string {
  return ['mosquitto.log', 'process.log']
    .map((name) => join(dir, name))
    .filter((file) => existsSync(file))
    .map((file) => readFileSync(file, 'utf8'))
    .join('');
}

interface ConfInput extends MosquittoOptions {
  port: number;
  dir: string;
  brokerLog: string;
}

/** The broker config, one setting a line; exported so a test can print what the broker ran with. */
export function mosquittoConf(input: ConfInput): string {
  const { port, dir, brokerLog, persistence = true, maxQueued = 1_000_000 } = input;
  const lines = [
    `listener ${port} 127.0.0.1`,
    ...(input.security?.lines ?? ['allow_anonymous true']),
    // Run as root (as on CI), mosquitto switches to the 'mosquitto' user, which cannot write to a
    // root-owned temp dir; naming the current user keeps it as is. Ignored when not root.
    `user ${userInfo().username}`,
    // A slow test subscriber must not lose QoS 1 messages to the default 1000-message queue.
    `max_queued_messages ${maxQueued}`,
    'max_queued_bytes 0',
    // Enough in flight to keep a fast loopback subscriber busy; the spec default of 20 throttles it.
    'max_inflight_messages 100',
    `log_dest file ${brokerLog}`,
    'log_type error',
    'log_type warning',
    'log_type notice',
    'log_type information',
    'connection_messages true',
    'log_timestamp_format %Y-%m-%dT%H:%M:%S',
  ];
  if (persistence) {
    lines.push(
      'persistence true',
      // The trailing slash matters: mosquitto concatenates the file name onto it.
      `persistence_location ${dir}/`,
      // SIGTERM saves the db anyway; autosave covers a broker that dies without one.
      'autosave_interval 5',
    );
  } else {
    lines.push('persistence false');
  }
  return `${lines.join('\n')}\n`;
}
