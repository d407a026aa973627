#!/usr/bin/env node
// `npm run example -- NAME` runs dist/examples/NAME.js (inside the sandbox, see sandbox.js).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const dir = path.join(path.dirname(__dirname), 'dist', 'examples');
const name = (process.argv[2] || '').replace(/\.(ts|js)$/, '');
const file = path.join(dir, `${name}.js`);
if (!name || !fs.existsSync(file)) {
  const names = fs.readdirSync(dir).filter((f) => f.endsWith('.js')).map((f) => f.slice(0, -3));
  console.error(`usage: npm run example -- NAME\nexamples: ${names.join(', ')}`);
  process.exit(2);
}
// A child of its own, so the example is its own main module and takes its arguments.
const r = require('node:child_process').spawnSync(process.execPath, [file, ...process.argv.slice(3)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
