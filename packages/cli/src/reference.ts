import type { Command, Option } from 'commander';
import { COMMAND_HELP, type CommandHelp, type Example, PROGRAM_HELP } from './command-help.js';
import type { ExitCodeValue } from './exit-codes.js';
import { buildProgram, type CommandName } from './program.js';
import { packageVersion } from './version.js';

/**
 * The CLI as data, read from the same command definitions as `--help` (commander's program and
 * command-help.ts): the docs site renders its CLI reference from this
 * (apps/docs/scripts/generate-cli.mjs), one section per command, so it cannot drift from the
 * binary. Not part of the package's public surface: the package has no library entry point.
 */
export interface OptionReference {
  flags: string;
  description: string;
}

export interface CommandReference {
  name: string;
  usage: string;
  description: string;
  details?: string;
  /** A list the command's help shows (`api`: the spec's operations), as a two-column table. */
  listing?: { title: string; columns: [string, string]; rows: [string, string][] };
  arguments: { name: string; description: string; choices?: string[] }[];
  options: OptionReference[];
  examples: Example[];
  exitCodes: [ExitCodeValue, string][];
}

export interface CliReference {
  version: string;
  description: string;
  usage: string;
  globalOptions: OptionReference[];
  commands: CommandReference[];
  /** The exit codes of every command, with their general meaning. */
  exitCodes: [ExitCodeValue, string][];
  credentials: string;
  environment: [string, string][];
  examples: Example[];
}

/** Every command a person runs: the hidden ones have no help of their own. */
type DocumentedCommand = Exclude<CommandName, '__profiles'>;

const visible = (options: readonly Option[]): OptionReference[] =>
  options.filter((o) => !o.hidden).map((o) => ({ flags: o.flags, description: o.description }));

export function cliReference(): CliReference {
  const program = buildProgram(packageVersion(), async () => {});
  const help = program.createHelp();
  // Hidden commands (`__profiles`, for the completion scripts) are not for people.
  const commands = help.visibleCommands(program).filter((c): c is Command => c.name() !== 'help');
  return {
    version: packageVersion(),
    description: program.description(),
    usage: `testmax ${program.usage()}`,
    // The help option is created lazily by commander: the help formatter knows it.
    globalOptions: visible(help.visibleOptions(program)),
    commands: commands.map((command) => {
      const name = command.name() as DocumentedCommand;
      const { examples, exitCodes, ...rest }: CommandHelp = COMMAND_HELP[name];
      return {
        name,
        usage: `testmax ${name} ${command.usage()}`,
        description: command.description(),
        ...(rest.details ? { details: rest.details } : {}),
        ...(rest.listing
          ? {
              listing: {
                title: rest.listing.title,
                columns: rest.listing.columns,
                rows: rest.listing.rows(),
              },
            }
          : {}),
        arguments: command.registeredArguments.map((argument) => ({
          name: argument.name(),
          description: argument.description,
          ...(argument.argChoices ? { choices: [...argument.argChoices] } : {}),
        })),
        // Every command's own --help, except the global options listed once for all.
        options: visible(command.options),
        examples: [...examples],
        exitCodes: exitCodes.map(([code, meaning]) => [code, meaning]),
      };
    }),
    exitCodes: PROGRAM_HELP.exitCodes.map(([code, meaning]) => [code, meaning]),
    credentials: PROGRAM_HELP.credentials,
    environment: PROGRAM_HELP.environment.map(([name, meaning]) => [name, meaning.replace('\n', ' ')]),
    examples: [...PROGRAM_HELP.examples],
  };
}
