// Preloaded (NODE_OPTIONS=-r) into every node process of `npm run test:asan`.
// libasan is LD_PRELOADed so that node can load the instrumented addon; the
// tools the tests run (ip, bridge, ss, mount …) must not inherit it — they are
// not ours, and ASan's interceptors abort on their own slips (iproute2 6.1's
// print_route passes overlapping buffers to strncpy). So every child_process
// call drops LD_PRELOAD from the child's environment unless the child is node
// itself (its path is process.execPath, or a wrapper such as setpriv gets it
// as an argument).
'use strict';
const cp = require('node:child_process');

const preload = process.env.LD_PRELOAD;
if (preload) {
  const runsNode = (args) => args.some((a) => a === process.execPath ||
    (Array.isArray(a) && a.includes(process.execPath)));
  for (const name of ['spawn', 'spawnSync', 'execFile', 'execFileSync', 'exec', 'execSync']) {
    const original = cp[name];
    cp[name] = function (...args) {
      if (runsNode(args)) return original.apply(this, args);
      // An explicit env (e.g. { ...process.env, X }) is copied without LD_PRELOAD.
      const i = args.findIndex((a) => a && typeof a === 'object' && !Array.isArray(a) && a.env);
      if (i >= 0) {
        const env = { ...args[i].env };
        delete env.LD_PRELOAD;
        args[i] = { ...args[i], env };
      }
      delete process.env.LD_PRELOAD;
      try {
        return original.apply(this, args);
      } finally {
        process.env.LD_PRELOAD = preload;
      }
    };
  }
}
