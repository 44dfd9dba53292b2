import { createSocket, type Socket } from 'node:dgram';

/**
 * A tiny authoritative DNS server on loopback (UDP) that answers TXT questions from a table the test
 * fills in. Anything else gets NXDOMAIN. Enough for DevHub's custom-domain verification, which uses
 * Node's real resolver pointed at this server.
 */
export interface FakeDns {
  /** "127.0.0.1:PORT", for Resolver.setServers */
  server: string;
  setTxt(name: string, records: string[]): void;
  clear(): void;
  queries: string[];
  close(): Promise<void>;
}

function readName(msg: Buffer, offset: number): { name: string; next: number } {
  const labels: string[] = [];
  let i = offset;
  while (msg[i] !== 0) {
    const len = msg[i]!;
    labels.push(msg.subarray(i + 1, i + 1 + len).toString('ascii'));
    i += len + 1;
  }
  return { name: labels.join('.').toLowerCase(), next: i + 1 };
}

function txtRdata(record: string): Buffer {
  const bytes = Buffer.from(record, 'utf8');
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length || i === 0; i += 255) {
    const part = bytes.subarray(i, i + 255);
    chunks.push(Buffer.from([part.length]), part);
    if (bytes.length === 0) break;
  }
  return Buffer.concat(chunks);
}

export async function startFakeDns(): Promise<FakeDns> {
  const table = new Map<string, string[]>();
  const queries: string[] = [];
  const socket: Socket = createSocket('udp4');
  socket.on('message', (msg, rinfo) => {
    if (msg.length < 12) return;
    const { name, next } = readName(msg, 12);
    const qtype = msg.readUInt16BE(next);
    queries.push(name);
    const question = msg.subarray(12, next + 4);
    const records = qtype === 16 ? (table.get(name) ?? []) : [];
    const header = Buffer.alloc(12);
    msg.copy(header, 0, 0, 2); // id
    const rd = msg[2]! & 0x01;
    header[2] = 0x84 | rd; // QR, AA, RD copied
    header[3] = table.has(name) ? 0x80 : 0x83; // RA; NXDOMAIN when the name is unknown
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(records.length, 6);
    const answers = records.map((r) => {
      const rdata = txtRdata(r);
      const rr = Buffer.alloc(12);
      rr.writeUInt16BE(0xc00c, 0); // pointer to the question name
      rr.writeUInt16BE(16, 2); // TXT
      rr.writeUInt16BE(1, 4); // IN
      rr.writeUInt32BE(60, 6); // TTL
      rr.writeUInt16BE(rdata.length, 10);
      return Buffer.concat([rr, rdata]);
    });
    socket.send(Buffer.concat([header, question, ...answers]), rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  return {
    server: `127.0.0.1:${port}`,
    setTxt: (name, records) => table.set(name.toLowerCase(), records),
    clear: () => table.clear(),
    queries,
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}
