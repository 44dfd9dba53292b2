import { Resolver } from 'node:dns/promises';
import { Injectable } from '@nestjs/common';

const NO_RECORD = new Set(['ENOTFOUND', 'ENODATA', 'ESERVFAIL', 'ENONAME', 'NXDOMAIN']);

/**
 * Looks up TXT records for custom-domain verification. Injectable, and pointed at other servers
 * with `useServers` (tests run a DNS server on loopback; an operator could pin a resolver).
 */
@Injectable()
export class DnsTxtResolver {
  private resolver = new Resolver({ timeout: 3000, tries: 2 });

  useServers(servers: string[]): void {
    this.resolver = new Resolver({ timeout: 3000, tries: 2 });
    this.resolver.setServers(servers);
  }

  /** Every TXT record at `name`, each record's strings joined; [] when there is none. */
  async resolveTxt(name: string): Promise<string[]> {
    try {
      const records = await this.resolver.resolveTxt(name);
      return records.map((chunks) => chunks.join(''));
    } catch (err) {
      if (NO_RECORD.has((err as NodeJS.ErrnoException).code ?? '')) return [];
      throw err;
    }
  }
}
