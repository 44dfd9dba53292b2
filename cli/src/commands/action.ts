import type { Command } from 'commander';
import { Context } from '../context.js';

/**
 * Wraps a command's handler: builds the context from the global options (--json, --url) and
 * hands over the positional arguments (in order) and the command's own options.
 */
export function action<A extends unknown[], O extends object = object>(handler: (ctx: Context, args: A, opts: O) => Promise<void>) {
  return async (...all: unknown[]) => {
    const command = all[all.length - 1] as Command;
    const opts = all[all.length - 2] as O;
    const globals = command.optsWithGlobals() as { json?: boolean; url?: string };
    await handler(new Context({ json: globals.json, url: globals.url }), all.slice(0, -2) as A, opts);
  };
}
