import { createHash } from 'node:crypto';

/**
 * What an export says about itself, so an auditor can prove later that a file is exactly what
 * Kilowatch produced, for which question, when and by which version. `npm run verify -- <file>`
 * checks a file against it; the manifest's own hash is also written to the audit log's hash chain.
 */
export interface Manifest {
  manifest_version: 1;
  id: string;
  file: string;
  media_type: string;
  bytes: number;
  sha256: string;
  rows: number;
  columns: string[];
  query: Record<string, unknown>;
  software: { name: 'kilowatch'; version: string };
  created_at: string;
  created_by: string;
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface VerifyResult {
  ok: boolean;
  problems: string[];
}

/** The file's bytes against the manifest: size and SHA-256 must both match. */
export function verifyAgainst(body: Buffer, manifest: Manifest): VerifyResult {
  const problems: string[] = [];
  if (manifest.manifest_version !== 1) problems.push(`unknown manifest_version ${String(manifest.manifest_version)}`);
  if (body.length !== manifest.bytes) problems.push(`size is ${body.length} bytes; the manifest says ${manifest.bytes}`);
  const actual = sha256Hex(body);
  if (actual !== manifest.sha256) problems.push(`SHA-256 is ${actual}; the manifest says ${manifest.sha256}`);
  return { ok: problems.length === 0, problems };
}
