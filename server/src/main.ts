import { ConfigError, loadConfig } from './config/config.js';
import { Kilowatch } from './kilowatch.js';
import { createLogger } from './logging.js';
import { installShutdown } from './shutdown.js';

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
  let app: Kilowatch;
  try {
    app = new Kilowatch(config, log);
  } catch (err) {
    // A bad setting found while building the parts (a dialect option, a TLS file): say it, no stack.
    log.fatal({ err: (err as Error).message }, 'could not start');
    process.exit(2);
  }
  installShutdown(() => app.stop(), log);
  try {
    await app.start();
  } catch (err) {
    log.fatal({ err: (err as Error).message }, 'could not start');
    await app.stop().catch(() => undefined);
    process.exit(1);
  }
}

void main();
