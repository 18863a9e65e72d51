#!/usr/bin/env node
// Launcher: the CLI lives in dist/cli/main.js (built from src/cli). Nothing else belongs here.
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
