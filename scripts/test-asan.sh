#!/usr/bin/env bash
# npm run test:asan — builds the addon from the same native sources with
# AddressSanitizer + UndefinedBehaviorSanitizer (cmake-js, CMakeLists.txt,
# -DRTNETLINK_SANITIZE=ON) into build/cmake-asan, then runs the integration
# suite (and the unit tests: the whole of `npm test`) against that build with libasan preloaded into
# node (node itself is not instrumented). Needs root (as npm test does
# through scripts/sandbox.js). Fails on a test failure or on any
# sanitizer report: reports go to build/cmake-asan/reports/*, and any file
# there fails the run. Extra arguments go to jest (e.g. a test file).
set -euo pipefail
cd "$(dirname "$0")/.."

out=build/cmake-asan
npx cmake-js build --out "$out" --config RelWithDebInfo --CDRTNETLINK_SANITIZE=ON --log-level warn
addon="$PWD/$out/RelWithDebInfo/rtnetlink.node"
[ -f "$addon" ] || { echo "test:asan: $addon was not built" >&2; exit 1; }
if ! nm -D "$addon" | grep __asan_init >/dev/null; then
  echo "test:asan: $addon is not instrumented" >&2; exit 1
fi

reports="$PWD/$out/reports"
rm -rf "$reports"; mkdir -p "$reports"
libasan="$(gcc -print-file-name=libasan.so)"
libubsan="$(gcc -print-file-name=libubsan.so)"

# The library must load the instrumented addon, not build/Release or a prebuild.
loaded="$(RTNETLINK_NATIVE="$addon" LD_PRELOAD="$libasan $libubsan" ASAN_OPTIONS=detect_leaks=0 \
  node -e "require('./test/helpers/ts-register.js'); require('./lib/native'); \
    console.log(Object.keys(require.cache).find((k) => k.endsWith('.node')))")"
[ "$loaded" = "$addon" ] || { echo "test:asan: the library loaded $loaded, not $addon" >&2; exit 1; }

# The sandbox of scripts/sandbox.js, made here so that the jest process itself
# starts with libasan preloaded (scripts/test-asan-hook.js keeps it away from
# the non-node tools the tests run). detect_leaks=0: node's own allocations at
# exit are not ours to judge; every other error aborts the process.
status=0
RTNETLINK_NATIVE="$addon" \
RTNETLINK_ASAN_PRELOAD="$libasan $libubsan" \
NODE_OPTIONS="--require $PWD/scripts/test-asan-hook.js" \
ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1:log_path=$reports/asan:allow_user_segv_handler=1" \
UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$reports/ubsan" \
RTNETLINK_SANDBOX=1 RTNETLINK_SANDBOX_INSIDE=1 \
  unshare --net --mount --propagation private -- bash -c '
    set -e
    mkdir -p /run/netns
    mount -t tmpfs -o mode=0755 rtnetlink-sandbox /run/netns
    ip link set lo up
    LD_PRELOAD="$RTNETLINK_ASAN_PRELOAD" exec node node_modules/.bin/jest "$@"' jest "$@" || status=$?

if compgen -G "$reports/*" >/dev/null; then
  echo "test:asan: sanitizer reports:" >&2
  for f in "$reports"/*; do echo "== $f" >&2; head -60 "$f" >&2; done
  exit 1
fi
[ "$status" -eq 0 ] || { echo "test:asan: tests failed (exit $status)" >&2; exit "$status"; }
echo "test:asan: passed against $addon, no sanitizer reports"
