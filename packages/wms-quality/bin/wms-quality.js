#!/usr/bin/env node
// Committed so npm links it at install time, before the build has written dist/.
import '../dist/src/cli.js';
