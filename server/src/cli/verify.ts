import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { sha256Hex, verifyAgainst, type Manifest } from '../exports/manifest.js';

/**
 * `npm run verify -- <export> [--manifest <file>]`: checks an export against its manifest (by default
 * `<export>.manifest.json` beside it). Exit 0 when the file is exactly what Kilowatch produced, 1 when
 * it is not, 2 when the files cannot be read.
 */
const program = new Command('verify')
  .argument('<export>', 'the exported file (CSV or JSON)')
  .option('--manifest <file>', 'the manifest; default <export>.manifest.json')
  .action((file: string, o: { manifest?: string }) => {
    const manifestPath = o.manifest ?? `${file}.manifest.json`;
    let body: Buffer;
    let manifest: Manifest;
    let manifestText: string;
    try {
      body = readFileSync(file);
      manifestText = readFileSync(manifestPath, 'utf8');
      manifest = JSON.parse(manifestText) as Manifest;
    } catch (err) {
      console.error(`kilowatch verify: ${(err as Error).message}`);
      process.exit(2);
    }
    const result = verifyAgainst(body, manifest);
    if (result.ok) {
      console.log(`OK  ${file}: ${manifest.bytes} bytes, ${manifest.rows} rows, SHA-256 ${manifest.sha256}`);
      console.log(`    exported ${manifest.created_at} by ${manifest.created_by} from Kilowatch ${manifest.software.version}; query ${JSON.stringify(manifest.query)}`);
      // The audit log records this hash with the export (detail.manifest_sha256): find the entry by it.
      console.log(`    manifest ${manifest.id}, its SHA-256 ${sha256Hex(manifestText)}`);
      return;
    }
    console.error(`FAILED  ${file} does not match ${manifestPath}:`);
    for (const p of result.problems) console.error(`  - ${p}`);
    process.exit(1);
  });
program.parse();
