#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { traceAction, traceCommand } from './commands/trace.js';
import { showCommand } from './commands/show.js';
import { iptablesCommand } from './commands/iptables.js';
import { policyCommand } from './commands/policy.js';
import { dnsCommand } from './commands/dns.js';
import { bgpCommand } from './commands/bgp.js';
import { compareCommand } from './commands/compare.js';
import { labCommand } from './commands/lab.js';
import { EXIT_BAD_INPUT, EXIT_UNAVAILABLE, UnavailableError, UsageError } from './exit.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The topology `podnet` opens when given no command. */
export const DEFAULT_TOPOLOGY = resolve(here, '../../topologies/two-node-flannel.yaml');

export function buildProgram(): Command {
  const program = new Command('podnet')
    .description('Packet-level emulator of Kubernetes container networking: models every node kernel and walks packets through it.')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  program.addCommand(traceCommand());
  program.addCommand(showCommand());
  program.addCommand(iptablesCommand());
  program.addCommand(policyCommand());
  program.addCommand(dnsCommand());
  program.addCommand(bgpCommand());
  program.addCommand(compareCommand());
  program.addCommand(labCommand());
  program
    .command('ui')
    .description('terminal UI: pick endpoints and step through the packet walk')
    .argument('[file]', 'topology file', DEFAULT_TOPOLOGY)
    .action(async (file: string) => {
      const { runTui } = await import('../tui/main.js');
      await runTui(file);
    });
  // `podnet` alone: the UI on a terminal, the seed trace (pod-a -> pod-b across nodes) otherwise.
  program.action(async () => {
    if (process.stdout.isTTY && process.stdin.isTTY) {
      const { runTui } = await import('../tui/main.js');
      await runTui(DEFAULT_TOPOLOGY);
      return;
    }
    process.stdout.write(`${await traceAction(DEFAULT_TOPOLOGY, { from: 'default/pod-a', to: 'default/pod-b' })}\n`);
  });
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  // Commander's own usage errors go to stderr with its message; map them to exit 2.
  program.configureOutput({ writeErr: (s) => process.stderr.write(s) });
  for (const c of program.commands) c.exitOverride();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (e) {
    if (e instanceof UnavailableError) {
      process.stderr.write(`podnet: ${e.detail}\n`);
      return EXIT_UNAVAILABLE;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`podnet: ${e.detail}\n`);
      return EXIT_BAD_INPUT;
    }
    if (e instanceof CommanderError) {
      // --help and --version exit 0; everything else is a usage error.
      return e.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
    }
    throw e;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`podnet: internal error (a bug; please report it): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
