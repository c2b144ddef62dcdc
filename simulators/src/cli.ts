/**
 * kilowatch-sim: `npm run sim -- --url mqtt://127.0.0.1:1883 --sites 2 --rigs 200 --interval 1000 --seed 42 [--duration 60]`
 * [--faults all --truth truth.jsonl] [--from 2026-01-01T00:00:00Z --to 2026-01-02T00:00:00Z]
 * [--dialect mixed --fleet-out fleet.yaml] (see simulators/README.md)
 * This file is the process boundary: it parses and checks options, prints, handles signals and sets the exit code.
 */
import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { DIALECT_CHOICES } from './dialects.js';
import { runFleet, type Fleet } from './fleet.js';
import { fleetFileYaml } from './fleet-file.js';
import { formatFaultLine, formatFinalLine, formatFleetLine, formatHistoryFinalLine } from './cli/format.js';
import { CLI_DEFAULTS, OptionError, type CliSimulationOptions, type RawCliOptions } from './cli/options.js';
import { createProgress, historyView, liveView } from './cli/progress.js';
import { toCliRun, type CliHistoryOptions, type CliRun } from './cli/run-options.js';
import { TruthFile } from './cli/truth-file.js';
import type { FaultEvent } from './faults/types.js';
import { runHistory } from './history.js';
import { startSimulation } from './run.js';
import type { FleetTruth } from './truth.js';

function buildProgram(): Command {
  return new Command()
    .name('kilowatch-sim')
    .description('Simulated mining sites: PDU outlet, miner and facility-meter readings over MQTT, in Kilowatch native v1 or ' +
      'the dialects of real devices (Tasmota, Shelly Gen1/Gen2, Sparkplug B, InfluxDB line protocol).')
    .option('--url <url>', 'MQTT broker URL', CLI_DEFAULTS.url)
    .option('--sites <n>', 'number of sites', CLI_DEFAULTS.sites)
    .option('--rigs <n>', 'rigs per site', CLI_DEFAULTS.rigs)
    .option('--interval <ms>', 'tick interval in ms (ticks fall on whole multiples of it)', CLI_DEFAULTS.interval)
    .option('--seed <n>', 'seed: the same seed gives the same fleet, readings and fault plan', CLI_DEFAULTS.seed)
    .option('--duration <s>', 'stop after this many seconds (default: run until Ctrl-C); with --from, the range is this long')
    .option('--outlets-per-pdu <n>', 'outlets per PDU (default 12)')
    .option('--username <name>', 'MQTT username')
    .addOption(new Option('--password <password>', 'MQTT password').env('KILOWATCH_SIM_PASSWORD'))
    .option('--faults <list>', 'inject faults, each once at a seeded time and PDU: all, or a comma list of reset, glitch, ' +
      'rollover, spike[=Wh], gap[=10m], late[=5m], duplicate, reorder, clock-skew[=90s] (durations in ms, s, m or h)')
    .option('--fault-rate <per-hour>', 'each listed fault this many times per hour instead of once (needs --duration or --from)')
    .option('--truth <file>', 'write the truth log: JSON lines, each fault as it plays out, then the true Wh per outlet, site and run')
    .option('--from <time>', 'historical mode: readings from this time (ISO 8601 with a zone, or ms), as fast as the broker acknowledges them')
    .option('--to <time>', 'historical mode: up to this time, exclusive (default: --from + --duration, else now)')
    .option('--max-in-flight <n>', 'historical mode: unacknowledged messages at most (default 2000)')
    .option('--no-miners', 'publish PDU and meter messages only')
    .option('--dialect <name>', `what the PDUs and meters speak: ${DIALECT_CHOICES.join(', ')} (a seeded blend per site); ` +
      'miners stay native. Not with --faults', 'native')
    .option('--fleet-out <file>', 'write the fleet file (YAML) this run implies: sites, racks, PDUs, rigs, meters and the ' +
      'device bindings; start the server with FLEET_FILE=<file> and the DIALECTS= value printed')
    .option('--dry-run', 'check the options, write --fleet-out and print the server settings, then exit without connecting ' +
      '(so the server can be started with the fleet file before a run publishes)')
    .showHelpAfterError('(add --help for usage)');
}

interface RunOutcome {
  truth: FleetTruth;
  faults: number;
}

async function main(argv: string[]): Promise<number> {
  const program = buildProgram().parse(argv);
  const run = exitOnOptionError(program, () => toCliRun(program.opts<RawCliOptions>(), Date.now()));
  const fleet = exitOnOptionError(program, () => fleetFor(run));
  const { options } = run;
  const described = run.mode === 'history' ? { ...options, from: run.options.from, to: run.options.to } : options;
  log(`kilowatch-sim: ${formatFleetLine(fleet.summary(), described)}`);
  announceServerSettings(fleet, run);
  if (program.opts<{ dryRun?: boolean }>().dryRun) return 0;
  const truthFile = run.truthPath === undefined ? undefined : new TruthFile(run.truthPath);
  const onFault = (event: FaultEvent): void => {
    process.stderr.write(`kilowatch-sim: ${formatFaultLine(event)}\n`);
    truthFile?.fault(event);
  };
  const outcome = run.mode === 'live' ? await runLive(run.options, fleet, onFault) : await runHistorical(run.options, onFault);
  if (truthFile) {
    truthFile.close(outcome.truth, { mode: run.mode, seed: options.seed, interval_ms: options.intervalMs, faults: outcome.faults });
    log(`kilowatch-sim: truth (${outcome.faults} faults, ${outcome.truth.wh} Wh IT, ${outcome.truth.meter_wh} Wh meters) written to ${truthFile.path}`);
  }
  return 0;
}

/** Option problems — including faults that do not fit the run — exit with code 2 and say what is wrong. */
function exitOnOptionError<T>(program: Command, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof OptionError || err instanceof RangeError) program.error(`error: ${err.message}`, { exitCode: 2 });
    throw err;
  }
}

/** The fleet as the run will build it, so that a fault plan that cannot fit is refused before connecting. */
function fleetFor(run: CliRun): Fleet {
  const window = run.mode === 'history'
    ? { from: run.options.from, to: run.options.to }
    : run.options.durationS === undefined ? {} : { durationMs: run.options.durationS * 1000 };
  return runFleet(run.options, window);
}

/**
 * What the server needs to file this fleet's readings: DIALECTS, and with any device dialect the fleet file
 * (written here with --fleet-out; the run builds the same fleet from the same options, so it matches).
 */
function announceServerSettings(fleet: Fleet, run: CliRun): void {
  const dialects = fleet.serverDialects();
  const dialect = run.options.dialect ?? 'native';
  if (run.fleetOut !== undefined) {
    const file = fleet.fleetFile();
    const command = ['npm run sim --', ...process.argv.slice(2)].join(' ');
    const header = [
      `Written by kilowatch-sim (${command}): the fleet the simulated devices belong to.`,
      `Server: DIALECTS=${dialects} FLEET_FILE=<this file>`,
    ];
    writeFileSync(run.fleetOut, fleetFileYaml(file, header));
    log(`kilowatch-sim: fleet file (${file.sites.length} sites, ${file.bindings.length} bindings) written to ${run.fleetOut}`);
  }
  const fleetFile = run.fleetOut === undefined ? (dialect === 'native' ? '' : ' FLEET_FILE=<the file --fleet-out writes>') : ` FLEET_FILE=${run.fleetOut}`;
  log(`kilowatch-sim: server settings: DIALECTS=${dialects}${fleetFile}`);
  if (run.mode === 'history' && fleet.summary().dialects?.pdus.some((d) => d.dialect === 'shelly-gen1')) {
    process.stderr.write('kilowatch-sim: note: Shelly Gen1 sends no timestamps; the server files those readings at their arrival, not in the range\n');
  }
}

async function runLive(options: CliSimulationOptions, fleet: Fleet, onFault: (e: FaultEvent) => void): Promise<RunOutcome> {
  log(`kilowatch-sim: connecting ${fleet.gateways().length} MQTT clients …`);
  const progress = createProgress(process.stdout, liveView(options.durationS));
  const sim = await startSimulation({ ...options, onFault, onProgress: (s) => progress.update(s) });
  const removeSignals = onSignals(() => void sim.stop(), () => progress.stop());
  await sim.done;
  removeSignals();
  progress.stop();
  log(`kilowatch-sim: ${formatFinalLine(sim.stats())}`);
  return { truth: sim.truth(), faults: sim.faultEvents().length };
}

async function runHistorical(options: CliHistoryOptions, onFault: (e: FaultEvent) => void): Promise<RunOutcome> {
  log('kilowatch-sim: connecting 4 MQTT clients (historical mode) …');
  const progress = createProgress(process.stdout, historyView);
  const abort = new AbortController();
  const removeSignals = onSignals(() => abort.abort(), () => progress.stop());
  const result = await runHistory({ ...options, signal: abort.signal, onFault, onProgress: (p) => progress.update(p) });
  removeSignals();
  progress.stop();
  log(`kilowatch-sim: ${formatHistoryFinalLine(result)}`);
  return { truth: result.truth, faults: result.faults.length };
}

/** First SIGINT/SIGTERM: graceful stop. A second one: leave now (stopping may be waiting for an absent broker). */
function onSignals(stop: () => void, beforeStopping: () => void): () => void {
  let received = 0;
  const handler = (signal: NodeJS.Signals): void => {
    received++;
    if (received > 1) {
      log(`kilowatch-sim: ${signal} again, exiting without waiting for acknowledgements`);
      process.exit(130);
    }
    beforeStopping();
    log(`kilowatch-sim: ${signal}, stopping (waiting for acknowledgements; ${signal} again to quit now) …`);
    stop();
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
