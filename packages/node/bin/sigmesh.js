#!/usr/bin/env node
// The sigmesh command. All logic lives in the library (src/cli/); this file only runs it.
import '../dist/cli/main.js';
