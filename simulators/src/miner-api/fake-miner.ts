import { createServer, type Server, type Socket } from 'node:net';

/**
 * A miner's cgminer-style API (TCP, `{"command":"summary"}` in, JSON plus a NUL byte out) in the shape
 * each firmware really answers — Antminer in GH/s with the rate as a string (older bmminer), Braiins OS
 * in MH/s, Whatsminer in MH/s with its illegal `\'` escape — so the server's poller is tested over a
 * real TCP exchange against the quirks it must survive (shared/fixtures/miners/miner-api-notes.md).
 */
export type Firmware = 'antminer' | 'braiins' | 'whatsminer';

export interface FakeMinerOptions {
  firmware: Firmware;
  /** The hashrate to report, TH/s; read on every request. */
  hashrateThs: () => number;
  host?: string;
  /** 0 (default): any free port. */
  port?: number;
  /** Answer with an error STATUS instead (a miner that is still starting). */
  failing?: () => boolean;
  clock?: () => number;
}

export interface FakeMiner {
  port: number;
  requests: number;
  stop(): Promise<void>;
}

export function summaryReply(firmware: Firmware, ths: number, whenS: number): string {
  const status = (description: string) => `"STATUS":[{"STATUS":"S","When":${whenS},"Code":11,"Msg":"Summary","Description":"${description}"}]`;
  switch (firmware) {
    case 'antminer':
      return `{${status('cgminer 4.9.0')},"SUMMARY":[{"Elapsed":8263,"GHS 5s":"${(ths * 1000).toFixed(2)}","GHS av":${(ths * 1000).toFixed(2)},"Found Blocks":0}],"id":1}`;
    case 'braiins':
      return `{${status('BOSminer+ 0.2.0')},"SUMMARY":[{"Elapsed":3680,"MHS 1m":${ths * 1e6},"MHS 5s":${ths * 1e6},"MHS av":nan}],"id":1}`;
    case 'whatsminer':
      return `{${status('btminer')},"SUMMARY":[{"Elapsed":33102,"MHS 1m":${(ths * 1e6).toFixed(2)},"Temperature":72.00,"Firmware Version":"\\'20201202.22.REL\\'"}],"id":1}`;
  }
}

export async function startFakeMiner(o: FakeMinerOptions): Promise<FakeMiner> {
  const sockets = new Set<Socket>();
  const state = { port: 0, requests: 0 };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.once('data', (data) => {
      state.requests += 1;
      const whenS = Math.floor((o.clock ?? Date.now)() / 1000);
      const asked = /"command"\s*:\s*"summary"/.test(data.toString());
      const reply = !asked
        ? `{"STATUS":[{"STATUS":"E","When":${whenS},"Code":14,"Msg":"Invalid command"}],"id":1}`
        : o.failing?.()
          ? `{"STATUS":[{"STATUS":"E","When":${whenS},"Code":23,"Msg":"Not ready"}],"id":1}`
          : summaryReply(o.firmware, o.hashrateThs(), whenS);
      socket.end(`${reply}\0`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => resolve());
  });
  state.port = (server.address() as { port: number }).port;
  return {
    get port() {
      return state.port;
    },
    get requests() {
      return state.requests;
    },
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
