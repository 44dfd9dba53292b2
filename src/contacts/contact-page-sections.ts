import { Injectable } from '@nestjs/common';

type SectionProvider = (userId: string, contactId: string) => Promise<unknown>;

/**
 * Cards that other features add to the contact page (the GitHub card), without the contacts
 * module importing them: a feature registers a provider in its onModuleInit, and the page's view
 * model gets `sections.<name>`.
 */
@Injectable()
export class ContactPageSections {
  private readonly providers = new Map<string, SectionProvider>();

  add(name: string, provider: SectionProvider): void {
    this.providers.set(name, provider);
  }

  async collect(userId: string, contactId: string): Promise<Record<string, unknown>> {
    const entries = await Promise.all([...this.providers].map(async ([name, p]) => [name, await p(userId, contactId)] as const));
    return Object.fromEntries(entries);
  }
}
