/**
 * kilowatch-sim: `npm run sim -- --url mqtt://127.0.0.1:1883 --sites 2 --rigs 200 --interval 1000 --seed 42 [--duration 60]`
 * This file is the process boundary: it parses and checks options, prints, handles signals and sets the exit code.
 */
import { Command, Option } from 'commander';
import { createFleet } from './fleet.js';
import { formatFinalLine, formatFleetLine } from './cli/format.js';
import { CLI_DEFAULTS, OptionError, toSimulationOptions, type CliSimulationOptions, type RawCliOptions } from './cli/options.js';
import { createProgress } from './cli/progress.js';
import { startSimulation, type Simulation } from './run.js';

function buildProgram(): Command {
  return new Command()
    .name('kilowatch-sim')
    .description('Simulated mining sites: PDU outlet, miner and facility-meter readings (Kilowatch native v1) over MQTT.')
    .option('--url <url>', 'MQTT broker URL', CLI_DEFAULTS.url)
    .option('--sites <n>', 'number of sites', CLI_DEFAULTS.sites)
    .option('--rigs <n>', 'rigs per site', CLI_DEFAULTS.rigs)
    .option('--interval <ms>', 'tick interval in ms (ticks fall on whole multiples of it)', CLI_DEFAULTS.interval)
    .option('--seed <n>', 'seed: the same seed gives the same fleet and readings', CLI_DEFAULTS.seed)
    .option('--duration <s>', 'stop after this many seconds (default: run until Ctrl-C)')
    .option('--outlets-per-pdu <n>', 'outlets per PDU (default 12)')
    .option('--username <name>', 'MQTT username')
    .addOption(new Option('--password <password>', 'MQTT password').env('KILOWATCH_SIM_PASSWORD'))
    .showHelpAfterError('(add --help for usage)');
}

async function main(argv: string[]): Promise<number> {
  const program = buildProgram().parse(argv);
  let options: CliSimulationOptions;
  try {
    options = toSimulationOptions(program.opts<RawCliOptions>());
  } catch (err) {
    if (err instanceof OptionError) program.error(`error: ${err.message}`, { exitCode: 2 });
    throw err;
  }
  const { sites, rigs, seed, outletsPerPdu } = options;
  const fleet = createFleet({ sites, rigsPerSite: rigs, seed, outletsPerPdu });
  log(`kilowatch-sim: ${formatFleetLine(fleet.summary(), options)}`);
  log(`kilowatch-sim: connecting ${fleet.gateways().length} MQTT clients …`);
  const progress = createProgress(process.stdout, options.durationS);
  const sim = await startSimulation({ ...options, onProgress: (s) => progress.update(s) });
  const removeSignals = onSignals(sim, () => progress.stop());
  await sim.done;
  removeSignals();
  progress.stop();
  log(`kilowatch-sim: ${formatFinalLine(sim.stats())}`);
  return 0;
}

/** First SIGINT/SIGTERM: graceful stop. A second one: leave now (stop() may be waiting for an absent broker). */
function onSignals(sim: Simulation, beforeStopping: () => void): () => void {
  let received = 0;
  const handler = (signal: NodeJS.Signals): void => {
    received++;
    if (received > 1) {
      log(`kilowatch-sim: ${signal} again, exiting without waiting for acknowledgements`);
      process.exit(130);
    }
    beforeStopping();
    log(`kilowatch-sim: ${signal}, stopping (waiting for acknowledgements; ${signal} again to quit now) …`);
    void sim.stop();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

// `npm run sim | head` closes the pipe early: the reader is done, so leave quietly rather than with a stack trace.
// The PDU gateways' last wills tell the broker they went offline.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(0);
});

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`kilowatch-sim: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
