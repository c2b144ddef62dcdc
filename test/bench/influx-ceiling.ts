/**
 * The raw InfluxDB write ceiling on this machine: line-protocol batches of pdu_outlet points, shaped like
 * the server's (same tags and fields), POSTed straight to /write with a few requests in flight. What the
 * server achieves is read against this.
 */
export interface CeilingResult {
  points: number;
  seconds: number;
  pointsPerSec: number;
}

export async function measureInfluxCeiling(influxUrl: string, seconds: number, batchSize = 5000, concurrency = 2): Promise<CeilingResult> {
  const db = 'bench_ceiling';
  await fetch(`${influxUrl}/query`, { method: 'POST', body: new URLSearchParams({ q: `CREATE DATABASE ${db}` }) });
  const started = Date.now();
  const end = started + seconds * 1000;
  let points = 0;
  let batchNo = 0;
  const worker = async () => {
    while (Date.now() < end) {
      const body = lineBatch(batchNo++, batchSize, started);
      const res = await fetch(`${influxUrl}/write?db=${db}&precision=ms`, { method: 'POST', body });
      if (res.status !== 204) throw new Error(`raw write failed: ${res.status} ${await res.text()}`);
      points += batchSize;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (Date.now() - started) / 1000;
  return { points, seconds: elapsed, pointsPerSec: points / elapsed };
}

/** One batch: 24 outlets per PDU, 1000 PDUs, one timestamp per 24,000 points (a second of a large fleet). */
function lineBatch(batchNo: number, size: number, t0: number): string {
  const lines: string[] = [];
  for (let i = 0; i < size; i++) {
    const n = batchNo * size + i;
    const outlet = 1 + (n % 24);
    const pdu = Math.floor(n / 24) % 1000;
    const ts = t0 + Math.floor(n / 24_000) * 1000;
    const power = 3000 + (n % 997) / 10;
    lines.push(`pdu_outlet,site=site-${pdu % 4},pdu=p${pdu},outlet=${outlet},rig=r${pdu}-${outlet} power_w=${power},energy_wh=${n},voltage_v=230.1,current_a=14.2,pf=0.99 ${ts}`);
  }
  return lines.join('\n');
}
