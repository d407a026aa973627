#!/usr/bin/env node
// npm run test:pack — the package as a user gets it: `npm pack`, then install
// the tarball into an empty project with install scripts disabled (so nothing
// can be compiled), and prove that the addon loads from prebuilds/ and works:
// a named namespace with a bridge that `ip -n` sees, and a process run inside
// it through the prebuilt exec shim. Then the fallback: with prebuilds/
// removed, the package's install script (node-gyp-build) builds from source
// and the library loads build/Release. Run inside scripts/sandbox.js (root or
// a user namespace), after `npm run prebuild`.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.dirname(__dirname);
const arch = `${process.platform}-${process.arch}`;
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
function check(ok, what) {
  if (!ok) { console.error(`test:pack: FAILED: ${what}`); process.exit(1); }
  console.log(`test:pack: ok: ${what}`);
}

const prebuilt = path.join(root, 'prebuilds', arch, 'rtnetlink.glibc.node');
check(fs.existsSync(prebuilt), `${path.relative(root, prebuilt)} exists (npm run prebuild makes it)`);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rtnetlink-pack-'));
try {
  const started = Date.now();
  const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', tmp], root));
  const files = packed.files.map((f) => f.path);
  check(files.includes(`prebuilds/${arch}/rtnetlink.glibc.node`) && files.includes(`prebuilds/${arch}/nsexec`) && files.includes(`prebuilds/${arch}/userns-helper`),
    `the tarball holds prebuilds/${arch} (addon, exec shim, userns helper)`);
  check(files.includes('dist/lib/index.js') && files.includes('dist/lib/index.d.ts'), 'the tarball holds dist/lib with declarations');
  check(!files.some((f) => f.startsWith('build/')), 'the tarball holds no build/ directory');
  console.log(`test:pack: prebuilds in the tarball: ${files.filter((f) => f.startsWith('prebuilds/')).join(', ')}`);

  const app = path.join(tmp, 'app');
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true }));
  run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', path.join(tmp, packed.filename)], app);
  const pkg = path.join(app, 'node_modules', 'rtnetlink');
  check(!fs.existsSync(path.join(pkg, 'build')), 'installed with scripts disabled: no build/ in the installed package');

  // The library in a fresh node, from the installed package only.
  const probe = `
    const { execFileSync } = require('node:child_process');
    const { Namespace } = require('rtnetlink');
    (async () => {
      const addon = Object.keys(require.cache).find((k) => k.endsWith('.node'));
      const ns = await Namespace.create('pack-test-' + process.pid);
      try {
        await ns.links.addBridge({ name: 'br-pack', up: true });
        const ip = JSON.parse(execFileSync('ip', ['-n', ns.name, '-j', 'link', 'show', 'br-pack'], { encoding: 'utf8' }));
        const inside = await new Promise((resolve, reject) => ns.execFile('ip', ['-j', 'link', 'show', 'br-pack'],
          (err, out) => (err ? reject(err) : resolve(JSON.parse(out)))));
        console.log(JSON.stringify({ addon, ip: ip.map((l) => l.ifname), inside: inside.map((l) => l.ifname) }));
      } finally {
        await ns.delete();
      }
    })().catch((e) => { console.error(e); process.exit(1); });`;
  const fromPrebuild = JSON.parse(run(process.execPath, ['-e', probe], app));
  check(fromPrebuild.addon === path.join(pkg, 'prebuilds', arch, 'rtnetlink.glibc.node'), `loaded ${path.relative(app, fromPrebuild.addon)}`);
  check(fromPrebuild.ip.join() === 'br-pack', 'a bridge made through the prebuilt addon is seen by ip -n');
  check(fromPrebuild.inside.join() === 'br-pack', 'ns.execFile ran ip inside the namespace through the prebuilt exec shim');

  // Fallback: no prebuild for this machine → the install script builds from source.
  fs.rmSync(path.join(pkg, 'prebuilds'), { recursive: true });
  run('npm', ['rebuild', 'rtnetlink'], app);
  const fromSource = JSON.parse(run(process.execPath, ['-e', probe], app));
  check(fromSource.addon === path.join(pkg, 'build', 'Release', 'rtnetlink.node'), `without prebuilds: built from source and loaded ${path.relative(app, fromSource.addon)}`);
  check(fromSource.ip.join() === 'br-pack' && fromSource.inside.join() === 'br-pack', 'the source build works the same');
  console.log(`test:pack: passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
