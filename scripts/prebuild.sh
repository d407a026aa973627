#!/usr/bin/env bash
# npm run prebuild — prebuilt binaries with prebuildify: one N-API build per
# platform serves every Node version from 20 on. Makes
#   prebuilds/linux-x64/rtnetlink.glibc.node     (+ nsexec, the exec shim, and userns-helper)
#   prebuilds/linux-arm64/rtnetlink.glibc.node   (+ nsexec), cross-compiled with
#                                                Debian's g++-aarch64-linux-gnu
# node-gyp-build (lib/native.ts) picks the one matching the platform, arch and
# libc, and falls back to build/Release (a source build) when none matches.
# The builds run in a staging copy of the native sources, so build/Release
# (the developer's own build) is never overwritten.
# Arguments: the arches to build (default: x64 arm64).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
arches=("${@:-x64}")
[ "$#" -gt 0 ] || arches=(x64 arm64)

stage="$(mktemp -d "${TMPDIR:-/tmp}/rtnetlink-prebuild.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
cp -r package.json binding.gyp native "$stage/"
ln -s "$root/node_modules" "$stage/node_modules"

# Node's headers: the ones installed with node (nodedir), else node-gyp downloads them.
nodedir="$(dirname "$(dirname "$(command -v node)")")"
if [ -f "$nodedir/include/node/node_api.h" ]; then export npm_config_nodedir="$nodedir"; fi

for arch in "${arches[@]}"; do
  case "$arch" in
    x64) cross=() strip_bin=strip ;;
    arm64)
      command -v aarch64-linux-gnu-g++ >/dev/null || {
        echo "prebuild: arm64 needs the cross compiler: apt-get install g++-aarch64-linux-gnu" >&2; exit 1; }
      cross=(CC=aarch64-linux-gnu-gcc CXX=aarch64-linux-gnu-g++ LINK=aarch64-linux-gnu-g++
             AR=aarch64-linux-gnu-ar CC_host=gcc CXX_host=g++ LINK_host=g++)
      strip_bin=aarch64-linux-gnu-strip ;;
    *) echo "prebuild: unsupported arch $arch (x64, arm64)" >&2; exit 1 ;;
  esac
  rm -rf "$stage/build" "prebuilds/linux-$arch"
  env "${cross[@]}" PREBUILD_STRIP_BIN="$strip_bin" \
    npx prebuildify --napi --strip --tag-libc --arch "$arch" --cwd "$stage" --out "$root"
  # The exec shim (lib/process.ts) ships beside the addon.
  for helper in nsexec userns-helper; do
    install -m 0755 "$stage/build/Release/$helper" "prebuilds/linux-$arch/$helper"
    "$strip_bin" --strip-all "prebuilds/linux-$arch/$helper"
  done
  file "prebuilds/linux-$arch/"* | sed "s|$root/||"
done
