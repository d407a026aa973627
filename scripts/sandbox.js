#!/usr/bin/env node
// Runs a command inside a fresh network + mount namespace, so nothing it does
// can reach this machine's own network: `node scripts/sandbox.js jest`.
// Inside, /run/netns is a private tmpfs, so named namespaces made by the
// command (and by `ip netns add`) vanish with it.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.dirname(__dirname);
const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: node scripts/sandbox.js COMMAND [ARGS...]');
  process.exit(2);
}

function run(cmd, argv, env) {
  const r = spawnSync(cmd, argv, { stdio: 'inherit', env });
  if (r.error) {
    console.error(`sandbox: cannot run ${cmd}: ${r.error.message}`);
    process.exit(1);
  }
  if (r.signal) process.kill(process.pid, r.signal);
  return r.status ?? 1;
}

if (!process.env.RTNETLINK_SANDBOX_INSIDE) {
  // Outside: re-run this script under unshare(1).
  const flags = ['--net', '--mount', '--propagation', 'private'];
  if (process.getuid && process.getuid() !== 0) flags.unshift('--user', '--map-root-user');
  const status = run('unshare', [...flags, '--', process.execPath, __filename, command, ...args],
    { ...process.env, RTNETLINK_SANDBOX_INSIDE: '1' });
  if (status !== 0 && process.getuid && process.getuid() !== 0) {
    console.error('sandbox: this needs root, or CAP_SYS_ADMIN + CAP_NET_ADMIN, or unprivileged user namespaces.');
  }
  process.exit(status);
}

// Inside the fresh namespaces.
fs.mkdirSync('/run/netns', { recursive: true });
if (run('mount', ['-t', 'tmpfs', '-o', 'mode=0755', 'rtnetlink-sandbox', '/run/netns']) !== 0) process.exit(1);
run('ip', ['link', 'set', 'lo', 'up']);
const local = path.join(root, 'node_modules', '.bin', command);
process.exit(run(fs.existsSync(local) ? local : command, args, { ...process.env, RTNETLINK_SANDBOX: '1' }));
