import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../server/src/store/sqlite.js';
import { storeContract } from './store.contract.js';

storeContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kw-sqlite-'));
  const store = new SqliteStore(join(dir, 'kilowatch.db'));
  await store.start();
  return {
    store,
    cleanup: async () => {
      await store.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
