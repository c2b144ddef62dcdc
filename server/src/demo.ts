import { Command } from 'commander';
import { startSimulation } from '../../simulators/src/run.js';
import { formatFleetLine } from '../../simulators/src/cli/format.js';
import { ConfigError, loadConfig } from './config/config.js';
import { Kilowatch } from './kilowatch.js';
import { createLogger } from './logging.js';
import { installShutdown } from './shutdown.js';

/**
 * `npm run demo`: everything in one process with nothing installed — the embedded MQTT broker,
 * the embedded SQLite store, the server and a simulated fleet publishing to it.
 * The usual settings (PORT, MQTT_PORT, DATA_DIR, …) apply; MQTT_URL/INFLUX_URL point it elsewhere.
 */
async function demo(): Promise<void> {
  const opts = new Command('demo')
    .option('--sites <n>', 'simulated sites', '2')
    .option('--rigs <n>', 'rigs per site', '200')
    .option('--interval <ms>', 'reading interval', '1000')
    .option('--seed <n>', 'fleet seed', '42')
    .parse()
    .opts<{ sites: string; rigs: string; interval: string; seed: string }>();
  const config = loadConfig({ LOG_FORMAT: 'pretty', ...process.env });
  const log = createLogger(config.LOG_LEVEL, config.LOG_FORMAT);
  const app = new Kilowatch(config, log);
  await app.start();
  const sim = await startSimulation({
    url: app.mqttUrl,
    sites: Number(opts.sites),
    rigs: Number(opts.rigs),
    intervalMs: Number(opts.interval),
    seed: Number(opts.seed),
    clientIdPrefix: 'kilowatch-demo',
  });
  log.info(`simulated fleet: ${formatFleetLine(sim.fleet.summary(), { url: app.mqttUrl, intervalMs: Number(opts.interval), seed: Number(opts.seed) })}`);
  process.stdout.write(`\n  Kilowatch demo is running. Dashboard: ${app.url}/\n  Ctrl-C stops it.\n\n`);
  installShutdown(async () => {
    await sim.stop();
    await app.stop();
  }, log);
}

demo().catch((err: Error) => {
  process.stderr.write(`kilowatch demo: ${err instanceof ConfigError ? err.message : err.stack ?? err.message}\n`);
  process.exit(1);
});
