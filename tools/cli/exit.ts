/**
 * What every CLI here (render, policy, drctl, docs) answers to a shell: 0 done, 1 it failed
 * (a control failed, the function refused at run time, the cluster said no), 2 the input or the
 * command line is wrong. `--help` prints the usage on stdout and exits 0.
 */
export const EXIT = { ok: 0, failure: 1, badInput: 2 } as const;

/** A command line that cannot be run: printed with the usage, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** An input file that is wrong (unreadable, not YAML, not a valid claim): exit 2. */
export class BadInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BadInputError";
  }
}

/** Runs `main`, turning the errors above into their exit codes; anything else is a failure (1). */
export async function runCli(usage: string, main: () => Promise<number>): Promise<number> {
  try {
    return await main();
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`error: ${error.message}\n${usage}\n`);
      return EXIT.badInput;
    }
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return error instanceof BadInputError ? EXIT.badInput : EXIT.failure;
  }
}
