// Which process holds a listening port. A readiness probe that only connects cannot tell our service
// from another one that grabbed the same port first (freePort() releases the port before the service
// binds it); the kernel's socket table can.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

const TCP_LISTEN = '0A';

/**
 * True if process `pid` owns a TCP socket listening on `port`. Linux only (/proc); elsewhere it
 * answers true so the connect/ping probe alone decides.
 */
export function ownsListeningPort(pid: number, port: number): boolean {
  let inodes: Set<string>;
  try {
    inodes = listeningInodes(port);
  } catch {
    return true;
  }
  if (inodes.size === 0) return false;
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      const target = readlinkOrEmpty(`/proc/${pid}/fd/${fd}`);
      const match = /^socket:\[(\d+)\]$/.exec(target);
      return match?.[1] !== undefined && inodes.has(match[1]);
    });
  } catch {
    return false; // the process is gone
  }
}

/** Inodes of sockets in LISTEN state on `port` (IPv4 and IPv6 tables). */
function listeningInodes(port: number): Set<string> {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    // Columns: sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const local = cols[1];
      const inode = cols[9];
      if (local?.endsWith(`:${hexPort}`) && cols[3] === TCP_LISTEN && inode !== undefined) inodes.add(inode);
    }
  }
  return inodes;
}

function readlinkOrEmpty(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return ''; // fds come and go while we read the directory
  }
}
