import type { Request, Response } from 'express';
import { sha256Hex, type Manifest } from './manifest.js';
import { manifestText, type ExportRegistry } from './registry.js';

export interface ExportFile {
  /** File name offered for download; also the manifest's `file`. */
  file: string;
  mediaType: string;
  body: Buffer;
  rows: number;
  columns: string[];
  /** The question that produced the file, as the manifest records it. */
  query: Record<string, unknown>;
  /** `inline` shows it in the browser (the printable report); default `attachment`. */
  disposition?: 'inline' | 'attachment';
}

/**
 * Sends an export with its manifest: the manifest is written first, its id goes in `X-Kilowatch-Manifest`
 * (GET /api/exports/<id>/manifest returns it), and the audit trail records the file's and the manifest's
 * SHA-256 with the request. Every export route answers through here.
 */
export function sendExport(req: Request, res: Response, registry: ExportRegistry, x: ExportFile, at: number): Manifest {
  const manifest = registry.create(x.file, x.mediaType, x.body, x.rows, x.columns, x.query, req.principal?.name ?? 'anonymous', at);
  res.locals.auditDetail = { export: x.file, manifest: manifest.id, sha256: manifest.sha256, manifest_sha256: sha256Hex(manifestText(manifest)), rows: manifest.rows, bytes: manifest.bytes };
  res.setHeader('Content-Type', x.mediaType);
  res.setHeader('Content-Disposition', `${x.disposition ?? 'attachment'}; filename="${x.file}"`);
  res.setHeader('X-Kilowatch-Manifest', manifest.id);
  res.send(x.body);
  return manifest;
}

/** `2024-11-01T05:00:00.000Z` → `20241101T050000Z`: a time that can sit in a file name. */
export function fileTime(ts: number): string {
  return new Date(ts).toISOString().replace(/[-:]|\.\d{3}/g, '');
}
