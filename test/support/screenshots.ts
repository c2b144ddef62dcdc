/**
 * `npm run screenshots`: copies the browser tests' screenshots that README.md shows into docs/screenshots.
 * The tests write only to test-artifacts/, so running them leaves the tracked images alone.
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ARTIFACTS } from './browser.js';

const DOCS = join(import.meta.dirname, '../../docs/screenshots');
/** test-artifacts name → docs/screenshots name. */
const SHOWN: Record<string, string> = {
  'dashboard.png': 'overview.png',
  'site.png': 'site.png',
  'operators.png': 'operators.png',
  'energy-managers.png': 'energy-managers.png',
  'auditors.png': 'auditors.png',
};

mkdirSync(DOCS, { recursive: true });
const missing = Object.keys(SHOWN).filter((name) => !existsSync(join(ARTIFACTS, name)));
if (missing.length > 0) {
  process.stderr.write(`screenshots: ${missing.join(', ')} not in test-artifacts/: run the browser tests first (npx vitest run test/e2e)\n`);
  process.exit(1);
}
for (const [from, to] of Object.entries(SHOWN)) {
  copyFileSync(join(ARTIFACTS, from), join(DOCS, to));
  process.stdout.write(`docs/screenshots/${to} ← test-artifacts/${from}\n`);
}
