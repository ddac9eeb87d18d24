#!/usr/bin/env node
// The pssql command line; the code is compiled to dist/ by `npm install` (the prepare script).
import { run } from '../dist/src/cli/main.js';

await run();
