import { ConfigError, loadConfig } from './config/config.js';
import { Kilowatch } from './kilowatch.js';
import { createLogger } from './logging.js';

/** `npm start`: the server alone, against what the environment names. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`kilowatch: ${err.message}\nSee .env.example for every setting.\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.LOG_LEVEL, config.LOG_FORMAT);
  const app = new Kilowatch(config, log);
  installShutdown(() => app.stop(), log);
  try {
    await app.start();
  } catch (err) {
    log.fatal({ err: (err as Error).message }, 'could not start');
    await app.stop().catch(() => undefined);
    process.exit(1);
  }
}

/** SIGTERM/SIGINT: stop taking, flush, acknowledge, close. A second signal exits at once. */
export function installShutdown(stop: () => Promise<void>, log: { info: (msg: string) => void; error: (obj: object, msg: string) => void }): void {
  let stopping = false;
  const onSignal = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    log.info(`${signal}: shutting down`);
    stop().then(
      () => process.exit(0),
      (err: Error) => {
        log.error({ err: err.message }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
}

if (import.meta.url === `file://${process.argv[1]}`) void main();
