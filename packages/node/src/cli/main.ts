// The sigmesh command as a runnable module: `bin/sigmesh.js` imports the built copy, and tests
// spawn this source file through tsx (`node --conditions=source --import tsx src/cli/main.ts`).
import { runCli } from './run-cli.js';

process.exitCode = await runCli(process.argv.slice(2));
