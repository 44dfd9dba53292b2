import { AddressInfo, createServer, Server, Socket, connect } from 'node:net';

/**
 * A loopback TCP proxy a test can cut: `cut()` drops every connection and refuses new ones (they
 * are accepted and closed at once, as a dead host behind a load balancer looks), `restore()` lets
 * them through again. Used to take Redis away from a running app and give it back.
 */
export class TcpProxy {
  private server!: Server;
  private readonly sockets = new Set<Socket>();
  private down = false;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<this> {
    this.server = createServer((client) => {
      if (this.down) return client.destroy();
      const upstream = connect(this.targetPort, this.targetHost);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => {
          this.sockets.delete(s);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  cut() {
    this.down = true;
    for (const s of this.sockets) s.destroy();
  }

  restore() {
    this.down = false;
  }

  async stop() {
    this.cut();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
