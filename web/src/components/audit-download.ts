import { el, setText } from '../lib/dom.js';
import { formatCount } from '../lib/format.js';
import { fetchExport, type ExportedFile } from '../views/audit-api.js';
import { errorText } from './audit-table.js';

/**
 * One export offered for download with its manifest: the file is fetched (the server writes the manifest and the
 * audit entry as it answers), kept as an object URL, and shown with a link to its manifest. Where the browser
 * can hash (a secure context), the file's SHA-256 is checked against the manifest on the spot.
 */
export interface DownloadSlot {
  readonly root: HTMLElement;
  /** Fetches `path` (or shows an already fetched file) and offers it. */
  offer(source: string | ExportedFile): Promise<ExportedFile | null>;
  destroy(): void;
}

export function createDownloadSlot(testid: string, onDone?: () => void): DownloadSlot {
  const root = el('div', { className: 'audit-download', testid });
  let current: ExportedFile | null = null;

  async function show(file: ExportedFile): Promise<void> {
    const fileLink = el('a', { className: 'audit-file', text: file.file, testid: `${testid}-file`, attrs: { href: file.url, download: file.file } });
    const parts: Node[] = [fileLink, el('span', { className: 'panel-note', text: ` ${formatCount(file.bytes)} bytes` })];
    if (file.manifestUrl) parts.push(el('a', { className: 'audit-manifest', text: 'manifest', testid: `${testid}-manifest`, attrs: { href: file.manifestUrl, download: `${file.file}.manifest.json` } }));
    const check = el('span', { className: 'audit-check', testid: `${testid}-check` });
    parts.push(check);
    root.replaceChildren(...parts);
    if (file.manifestId && file.manifestUrl) setText(check, await checkAgainstManifest(file));
  }

  return {
    root,
    async offer(source) {
      root.replaceChildren(el('span', { className: 'panel-note', text: 'Preparing…' }));
      try {
        const file = typeof source === 'string' ? await fetchExport(source) : source;
        current?.release();
        current = file;
        await show(file);
        onDone?.();
        return file;
      } catch (error) {
        root.replaceChildren(el('span', { className: 'audit-error', text: `Export failed: ${errorText(error)}` }));
        return null;
      }
    },
    destroy() {
      current?.release();
      root.remove();
    },
  };
}

/** "SHA-256 matches the manifest" — or why it could not be checked here. */
async function checkAgainstManifest(file: ExportedFile): Promise<string> {
  if (!globalThis.crypto?.subtle) return ' (check it with npm run verify)';
  try {
    // The bytes from the Blob itself: fetching a blob: URL is not `connect-src 'self'`.
    const [bytes, manifest] = await Promise.all([file.blob.arrayBuffer(), fetch(file.manifestUrl!).then((r) => r.json() as Promise<{ sha256?: string }>)]);
    const digest = [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');
    return digest === manifest.sha256 ? ` ✓ SHA-256 ${digest.slice(0, 12)}… matches its manifest` : ' ✗ SHA-256 does not match its manifest';
  } catch (error) {
    return ` (not checked: ${errorText(error)})`;
  }
}
