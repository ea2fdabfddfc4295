/**
 * chatctl's command line, on commander (the most used Node argument parser: subcommands, typed
 * option parsers, generated help, no dependencies). Global options come from flags or the
 * environment; each command gets its Context from them. `runChatctl` resolves with the exit code.
 */
import { Command, CommanderError } from 'commander';
import { userCommands } from './commands/users.js';
import { roomCommands } from './commands/rooms.js';
import { statsCommand } from './commands/stats.js';
import { tailCommand } from './commands/tail.js';
import { tokenCommands } from './commands/tokens.js';
import { contextOf, DEFAULT_URL, type ContextDeps } from './context.js';
import { ApiError, EXIT_API, EXIT_OK, EXIT_USAGE, UsageError } from './errors.js';

export type ChatctlDeps = ContextDeps;

function createProgram(deps: ChatctlDeps): Command {
  const program = new Command('chatctl')
    .description('Administer an MQTT chat platform through its REST API (and MQTT, for tail).')
    .option('--url <url>', `the REST API (or set CHATCTL_URL; default ${DEFAULT_URL})`)
    .option('--token <token>', 'the admin token (or set CHATCTL_TOKEN, or ADMIN_TOKEN; else the one npm start generated into DATA_DIR)')
    .option('--mqtt-url <url>', 'the broker, for tail (or set CHATCTL_MQTT_URL; default: port 1883 on the API host)')
    .option('--json', 'print JSON (one object per message with tail) instead of tables')
    .showHelpAfterError('(chatctl --help lists the commands)')
    .configureOutput({ writeOut: deps.stdout, writeErr: deps.stderr })
    .exitOverride();
  const context = (command: Command) => contextOf(command, deps);
  userCommands(program, context);
  roomCommands(program, context);
  tokenCommands(program, context);
  tailCommand(program, context);
  statsCommand(program, context);
  for (const command of program.commands) command.exitOverride().configureOutput({ writeOut: deps.stdout, writeErr: deps.stderr });
  return program;
}

/** Runs chatctl with `args` (without node and the script); resolves with the exit code. */
export async function runChatctl(args: readonly string[], deps: ChatctlDeps): Promise<number> {
  const program = createProgram(deps);
  try {
    await program.parseAsync([...args], { from: 'user' });
    return EXIT_OK;
  } catch (error) {
    return report(error, deps, args.includes('--json'));
  }
}

function report(error: unknown, deps: ChatctlDeps, json: boolean): number {
  // Commander has printed its own message (or the help); --help and --version end with 0.
  if (error instanceof CommanderError) {
    // Ids made before they stopped starting with "-" (lib/ids.ts) read as options.
    if (error.code === 'commander.unknownOption')
      deps.stderr('(an id that starts with "-" goes after "--": chatctl users show -- <userId>)\n');
    return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  }
  if (error instanceof UsageError) {
    deps.stderr(`error: ${error.message}\n`);
    return EXIT_USAGE;
  }
  if (error instanceof ApiError) {
    const status = error.status === 0 ? '' : ` (HTTP ${error.status})`;
    deps.stderr(
      json
        ? `${JSON.stringify({ error: { code: error.code, message: error.message, status: error.status, details: error.details } })}\n`
        : `error: ${error.code}: ${error.message}${status}\n`,
    );
    return EXIT_API;
  }
  throw error;
}
