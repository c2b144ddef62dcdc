import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { extname } from 'node:path';
import type { Logger } from 'pino';
import { parse as parseYaml } from 'yaml';
import { FleetRegistry } from './registry.js';
import { fleetSchema } from './schema.js';

export class FleetFileError extends Error {
  override name = 'FleetFileError';
}

/** Read and check a fleet file (YAML, or JSON by its .json extension). Throws FleetFileError naming every problem. */
export function readFleetFile(path: string): FleetRegistry {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new FleetFileError(`cannot read fleet file ${path}: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = extname(path).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new FleetFileError(`fleet file ${path} does not parse: ${(err as Error).message}`);
  }
  const result = fleetSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(file)'}: ${i.message}`);
    throw new FleetFileError(`fleet file ${path} is not valid:\n${lines.join('\n')}`);
  }
  return new FleetRegistry(result.data);
}

/**
 * The current fleet, reloaded when the file changes or on SIGHUP. A file that does not load leaves the
 * previous fleet in force (and says why): ingestion never stops over an editing mistake, and since
 * unbound devices are stored under `unassigned` rather than dropped, no reading is lost either way.
 */
export class FleetSource {
  private registry: FleetRegistry;
  private readonly onHup = () => this.reload('SIGHUP');

  constructor(
    private readonly path: string | undefined,
    private readonly log: Logger,
    private readonly onReload: () => void = () => {},
    private readonly pollMs = 2000,
  ) {
    this.registry = FleetRegistry.empty();
  }

  get current(): FleetRegistry {
    return this.registry;
  }

  /** The first load must succeed: a server started with a broken fleet file says so and stops. */
  start(): void {
    if (!this.path) return;
    this.registry = readFleetFile(this.path);
    this.log.info(this.summary(), 'fleet file loaded');
    // Polling, not fs.watch: editors replace files by rename, which fs.watch loses track of.
    watchFile(this.path, { interval: this.pollMs }, (now, before) => {
      if (now.mtimeMs !== before.mtimeMs || now.size !== before.size) this.reload('file changed');
    });
    process.on('SIGHUP', this.onHup);
  }

  stop(): void {
    if (!this.path) return;
    unwatchFile(this.path);
    process.off('SIGHUP', this.onHup);
  }

  reload(why: string): boolean {
    if (!this.path) return false;
    try {
      this.registry = readFleetFile(this.path);
      this.log.info({ ...this.summary(), why }, 'fleet file reloaded');
      this.onReload();
      return true;
    } catch (err) {
      this.log.error({ why, err: (err as Error).message }, 'fleet file not reloaded; the previous fleet stays in force');
      return false;
    }
  }

  private summary() {
    const f = this.registry.fleet;
    return { path: this.path, sites: f.sites.length, bindings: f.bindings.length, outlets: [...this.registry.allOutlets()].length };
  }
}
