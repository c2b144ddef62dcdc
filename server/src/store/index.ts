import { join } from 'node:path';
import type { Config } from '../config/config.js';
import { InfluxStore } from './influx.js';
import { SqliteStore } from './sqlite.js';
import type { Store } from './store.js';

/** The one place a backend is chosen: InfluxDB when INFLUX_URL is set, else embedded SQLite. */
export function createStore(config: Config): Store {
  if (config.INFLUX_URL) {
    return new InfluxStore({
      url: config.INFLUX_URL,
      database: config.INFLUX_DB,
      ...(config.INFLUX_USERNAME !== undefined && { username: config.INFLUX_USERNAME }),
      ...(config.INFLUX_PASSWORD !== undefined && { password: config.INFLUX_PASSWORD }),
    });
  }
  return new SqliteStore(join(config.DATA_DIR, 'kilowatch.db'));
}
