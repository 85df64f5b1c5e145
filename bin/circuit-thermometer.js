#!/usr/bin/env node
// Runs the bundled CLI (dist/cli.js, built by `npm run build`) and exits with its status.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const cli = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(cli)) {
  process.stderr.write('circuit-thermometer: dist/cli.js is missing; run npm run build first\n');
  process.exit(2);
}
let main;
try {
  ({ main } = require(cli));
} catch (e) {
  // E.g. onnxruntime-node not installed: one line, not a stack trace.
  process.stderr.write(`circuit-thermometer: cannot start: ${String(e && e.message).split('\n')[0]} (run npm install, then npm run build)\n`);
  process.exit(3);
}
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
