#!/usr/bin/env node
// The sigmesh command. All logic lives in the library (src/cli/); this file only runs it.
import { runCli } from '../dist/cli/run-cli.js';

process.exitCode = await runCli(process.argv.slice(2));
