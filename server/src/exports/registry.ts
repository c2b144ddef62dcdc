import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Hex, type Manifest } from './manifest.js';

/** Manifests of every export made, kept in DATA_DIR/exports so a manifest can be fetched again later. */
export class ExportRegistry {
  constructor(
    private readonly dir: string,
    private readonly version: string,
  ) {}

  create(file: string, mediaType: string, body: Buffer, rows: number, columns: string[], query: Record<string, unknown>, createdBy: string, at: number): Manifest {
    const manifest: Manifest = {
      manifest_version: 1,
      id: randomUUID(),
      file,
      media_type: mediaType,
      bytes: body.length,
      sha256: sha256Hex(body),
      rows,
      columns,
      query,
      software: { name: 'kilowatch', version: this.version },
      created_at: new Date(at).toISOString(),
      created_by: createdBy,
    };
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(join(this.dir, `${manifest.id}.manifest.json`), manifestText(manifest));
    return manifest;
  }

  /** The manifest file exactly as stored (and as served): its SHA-256 is what the audit log records. */
  text(id: string): string | null {
    if (!/^[0-9a-f-]{36}$/.test(id)) return null;
    try {
      return readFileSync(join(this.dir, `${id}.manifest.json`), 'utf8');
    } catch {
      return null;
    }
  }

  get(id: string): Manifest | null {
    const text = this.text(id);
    return text === null ? null : (JSON.parse(text) as Manifest);
  }
}

/** A manifest as its file holds it: pretty JSON and a final newline. */
export function manifestText(manifest: Manifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
