/** Exit codes: 0 success, 1 error, 2 usage error. */
export const EXIT_ERROR = 1;
export const EXIT_USAGE = 2;

/** An error the user should read: printed as one line, no stack. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = EXIT_ERROR,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Wrong arguments or options: exit 2. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT_USAGE);
    this.name = 'UsageError';
  }
}
