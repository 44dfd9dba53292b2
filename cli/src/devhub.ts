#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerAuth } from './commands/auth.js';
import { registerContacts } from './commands/contacts.js';
import { registerFollowUps } from './commands/followups.js';
import { registerLog } from './commands/log.js';
import { registerProfile } from './commands/profile.js';
import { registerTags } from './commands/tags.js';
import { registerWork } from './commands/work.js';
import { CliError, EXIT_ERROR, EXIT_USAGE } from './errors.js';
import { errorLine } from './output.js';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

export function buildProgram(): Command {
  const program = new Command('devhub')
    .description('DevHub from the terminal: the people you know, what you talked about, when to follow up.')
    .version(version, '-v, --version')
    .option('--json', 'print the API’s JSON instead of text (every command)')
    .option('--url <url>', 'DevHub server (default: $DEVHUB_URL, the saved one, http://localhost:3000)')
    .showHelpAfterError('(devhub --help shows every command)')
    .showSuggestionAfterError()
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .exitOverride();
  registerAuth(program);
  registerContacts(program);
  registerLog(program);
  registerFollowUps(program);
  registerTags(program);
  registerWork(program);
  registerProfile(program);
  program.addHelpText(
    'after',
    `
Examples:
  devhub login                                   approve this machine in the browser
  devhub contacts add "Ada Lovelace" --github ada --tag math
  devhub log ada meeting "coffee, talked about engines"
  devhub followups add ada friday "send the paper"
  devhub followups due
  devhub contacts ls --q engines --json | jq '.data[].name'

<who> is a name, an e-mail, a GitHub login or an id.
Settings: DEVHUB_URL, DEVHUB_TOKEN and DEVHUB_CONFIG (default ~/.devhub/config.json); NO_COLOR turns colour off.
Exit codes: 0 success, 1 error, 2 usage error.`,
  );
  // every subcommand reports usage errors the same way (exit 2) instead of exiting itself
  const override = (cmd: Command) => {
    const path: string[] = [];
    for (let at: Command | null = cmd; at && at.parent; at = at.parent) path.unshift(at.name());
    cmd.exitOverride().showHelpAfterError(`(devhub ${path.join(' ')} --help for usage)`);
    cmd.commands.forEach(override);
  };
  program.commands.forEach(override);
  return program;
}

export async function main(argv = process.argv): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and --version end here too, with exit code 0
      return err.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    if (err instanceof CliError) {
      errorLine(err.message);
      return err.exitCode;
    }
    if (err instanceof Error && err.name === 'ExitPromptError') {
      errorLine('Cancelled.');
      return EXIT_ERROR;
    }
    errorLine(`unexpected: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return EXIT_ERROR;
  }
}

main().then((code) => {
  process.exitCode = code;
});
