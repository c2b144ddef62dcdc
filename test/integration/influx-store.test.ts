import { afterAll, beforeAll } from 'vitest';
import { InfluxStore } from '../../server/src/store/influx.js';
import { storeContract } from '../contract/store.contract.js';
import { startInfluxd, type InfluxdHandle } from '../harness/index.js';

// The same contract as the SQLite store, against a real influxd started for this file.
let influxd: InfluxdHandle;
beforeAll(async () => {
  influxd = await startInfluxd();
});
afterAll(async () => influxd?.dispose());

let n = 0;
storeContract('influxdb', async () => {
  const store = new InfluxStore({ url: influxd.url, database: `contract_${++n}` });
  await store.start();
  return { store, cleanup: () => store.stop() };
});
