// The sigmesh CLI run from source (through tsx), for tests that start nodes as separate processes.
import { runCli } from '../../src/cli/run-cli.js';

process.exitCode = await runCli(process.argv.slice(2));
