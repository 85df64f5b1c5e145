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
require(cli)
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
