#!/usr/bin/env bash
# make dist-test: proves the .deb works where no Swift exists. A minimal Debian 12 root
# (`debootstrap --variant=minbase bookworm`, cached under $DIST_SCRATCH between runs) gets the .deb
# with `apt-get install ./cachewatch_….deb` (apt resolves Depends), then runs, inside the chroot:
# --version, man -w, families, snapshot --json and watch --json against a redis-server on the host's
# loopback, the bash completion script, and checks that ldd names only libraries from Depends and glibc.
# Needs root (chroot, mount). Always unmounts /proc, stops its redis-server and removes the test root.
set -euo pipefail
cd "$(dirname "$0")/.."

SCRATCH=${DIST_SCRATCH:-.build-dist}
OUT=${DIST_DIR:-dist}
CACHE_ROOT="$SCRATCH/bookworm-root"
ROOT="$SCRATCH/bookworm-test"

fail() { echo "dist-test: FAIL: $*" >&2; exit 1; }
pass() { echo "dist-test: ok: $*"; }
[ "$(id -u)" = 0 ] || fail "needs root (debootstrap, chroot and mount)."

DEB=$(ls -t "$OUT"/cachewatch_*_"$(dpkg --print-architecture)".deb 2>/dev/null | head -1)
[ -n "$DEB" ] || fail "no .deb in $OUT/ (run make dist)."
(cd "$OUT" && sha256sum -c --quiet "$(basename "$DEB").sha256") || fail "$DEB does not match its .sha256."

if ! command -v debootstrap >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
fi

# The Debian mirror this machine's apt already uses.
MIRROR=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
  | grep -E '^(deb |URIs:)' | grep -oE 'https?://[^ ]+/debian/?( |$)' | grep -v security | head -1 | tr -d ' ' || true)
MIRROR=${MIRROR:-http://deb.debian.org/debian}

if [ ! -x "$CACHE_ROOT/usr/bin/man" ]; then
  echo "dist-test: creating the cached Debian 12 minbase root in $CACHE_ROOT (from $MIRROR)"
  rm -rf --one-file-system "$CACHE_ROOT.tmp"
  debootstrap --variant=minbase --include=man-db bookworm "$CACHE_ROOT.tmp" "$MIRROR" >"$SCRATCH/debootstrap.log" 2>&1 \
    || { tail -20 "$SCRATCH/debootstrap.log" >&2; fail "debootstrap failed (log: $SCRATCH/debootstrap.log)."; }
  mv "$CACHE_ROOT.tmp" "$CACHE_ROOT"
fi

# Processes running inside the test root (their /proc/PID/root is it).
root_processes() {
  local real pid
  real=$(realpath "$ROOT")
  for pid in /proc/[0-9]*; do
    [ "$(readlink "$pid/root" 2>/dev/null)" = "$real" ] && echo "${pid#/proc/} $(tr '\0' ' ' <"$pid/cmdline" 2>/dev/null)"
  done
  return 0
}

REDIS_PID=""
cleanup() {
  set +e   # every step runs, whatever failed before
  [ -n "$REDIS_PID" ] && kill "$REDIS_PID" 2>/dev/null && wait "$REDIS_PID" 2>/dev/null
  [ -n "${TMUX_SOCKET:-}" ] && tmux -L "$TMUX_SOCKET" kill-server 2>/dev/null
  root_processes | while read -r pid _; do kill "$pid" 2>/dev/null || true; done
  if mountpoint -q "$ROOT/proc"; then umount "$ROOT/proc" || umount -l "$ROOT/proc"; fi
  if mountpoint -q "$ROOT/proc"; then echo "dist-test: $ROOT/proc is still mounted; not removing $ROOT" >&2; return; fi
  rm -rf --one-file-system "$ROOT"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A fresh copy of the cached root for every run: the cache never sees the .deb.
rm -rf --one-file-system "$ROOT"
cp -a "$CACHE_ROOT" "$ROOT"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
mount -t proc proc "$ROOT/proc"
in_root() { chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }

! in_root sh -c 'command -v swift || ls /usr/lib/swift /opt/swift' >/dev/null 2>&1 || fail "the test root has Swift in it."
cp "$DEB" "$ROOT/tmp/"
in_root apt-get update -qq >/dev/null || fail "apt-get update in the test root."
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "./tmp/$(basename "$DEB")" \
  >"$SCRATCH/dist-test-apt.log" 2>&1 || { tail -20 "$SCRATCH/dist-test-apt.log" >&2; fail "apt-get install of the .deb."; }
pass "apt-get install ./$(basename "$DEB") (Depends: $(in_root dpkg-query -W -f '${Depends}' cachewatch))"

version=$(in_root cachewatch --version) || fail "cachewatch --version exits non-zero in the test root."
echo "$version" | sed 's/^/    /'
grep -q '^swift runtime: static$' <<<"$version" || fail "--version does not say the Swift runtime is static."
grep -q "^cachewatch $(basename "$DEB" | cut -d_ -f2)\$" <<<"$version" || fail "--version and the .deb disagree on the version."
pass "cachewatch --version"

page=$(in_root man -w cachewatch) || fail "man -w cachewatch finds no page."
[ "$page" = /usr/share/man/man1/cachewatch.1.gz ] || fail "man -w cachewatch: $page"
in_root env MANPAGER=cat MANWIDTH=100 man cachewatch 2>/dev/null | grep -q -- '--version' || fail "the man page does not render."
pass "man -w cachewatch: $page"

for theme in default dark-8 high-contrast monochrome; do
  [ -f "$ROOT/usr/share/cachewatch/themes/$theme.toml" ] || fail "theme $theme is not installed."
done

# The installed themes folder is where cachewatch looks (a broken theme there is reported by its path).
printf 'name = "broken"\ncolors = 7\n' >"$ROOT/usr/share/cachewatch/themes/broken.toml"
message=$(in_root cachewatch --theme broken 2>&1 >/dev/null) && fail "a broken theme was accepted."
grep -q '^cachewatch: /usr/share/cachewatch/themes/broken.toml:2: ' <<<"$message" || fail "theme lookup: $message"
rm "$ROOT/usr/share/cachewatch/themes/broken.toml"
pass "themes in /usr/share/cachewatch/themes, and cachewatch looks there"

families=$(printf 'widget:1\nwidget:2\nsession:3f1c0a9e-1d2b-4c5d-8e9f-0a1b2c3d4e5f\n' | chroot "$ROOT" /usr/bin/env -i PATH=/usr/bin:/bin cachewatch families --tsv) \
  || fail "cachewatch families."
grep -q $'^widget:2\twidget:{id}$' <<<"$families" || fail "families output: $families"
pass "cachewatch families"

# A redis-server on the host's loopback (the chroot shares the network), on a free port.
command -v redis-server >/dev/null || fail "redis-server is not installed on the host (make deps)."
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --bind 127.0.0.1 --port "$PORT" --save '' --appendonly no --protected-mode yes >"$SCRATCH/dist-test-redis.log" 2>&1 &
REDIS_PID=$!
for _ in $(seq 100); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.05; done
redis-cli -p "$PORT" ping >/dev/null || fail "redis-server did not start on port $PORT."
for id in $(seq 1 50); do printf 'SET widget:%d x EX 600\r\n' "$id"; done | redis-cli -p "$PORT" >/dev/null
redis-cli -p "$PORT" set feature_flags on >/dev/null

snapshot=$(in_root cachewatch snapshot --json --full -h 127.0.0.1 -p "$PORT") || fail "cachewatch snapshot --json exits non-zero."
python3 - "$snapshot" <<'PY' || fail "snapshot --json is not the expected document."
import json, sys
doc = json.loads(sys.argv[1])
assert doc["schema"] == 1, doc
assert doc["server"]["version"], doc
families = {f["pattern"]: f["keys"] for f in doc["census"]["families"]}
assert families.get("widget:{id}") == 50, families
assert doc["census"]["scanned_keys"] == 51, doc["census"]
PY
pass "cachewatch snapshot --json against redis-server on 127.0.0.1:$PORT"

lines=$(in_root cachewatch watch --json --interval 200ms --count 2 -h 127.0.0.1 -p "$PORT" --no-census | wc -l) \
  || fail "cachewatch watch --json exits non-zero."
[ "$lines" = 2 ] || fail "watch --json --count 2 printed $lines lines."
pass "cachewatch watch --json --count 2"

# The dashboard, in a tmux pane on the host running the chroot's binary (TERM=screen is in ncurses-base).
TMUX_SOCKET="cachewatch-dist-test-$$"
tmux -L "$TMUX_SOCKET" new-session -d -x 80 -y 24 \
  "chroot '$ROOT' /usr/bin/env -i PATH=/usr/bin:/bin HOME=/root LANG=C.UTF-8 TERM=screen cachewatch -h 127.0.0.1 -p $PORT; sleep 30"
screen=""
for _ in $(seq 100); do
  screen=$(tmux -L "$TMUX_SOCKET" capture-pane -p 2>/dev/null || true)
  grep -q "cachewatch 127.0.0.1:$PORT" <<<"$screen" && grep -q 'widget:{id}' <<<"$screen" && break
  sleep 0.1
done
grep -q "cachewatch 127.0.0.1:$PORT" <<<"$screen" && grep -q 'widget:{id}' <<<"$screen" \
  || { echo "$screen" >&2; fail "the dashboard did not show the header and the widget family."; }
tmux -L "$TMUX_SOCKET" send-keys q
for _ in $(seq 50); do root_processes | grep -q . || break; sleep 0.1; done
[ -z "$(root_processes)" ] || fail "the dashboard did not quit on q."
tmux -L "$TMUX_SOCKET" kill-server 2>/dev/null || true
pass "the dashboard draws (80x24, tmux) and quits on q"

# cachewatch demo needs redis-server (Suggests); policy-rc.d keeps its package from starting a service.
printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d" && chmod 0755 "$ROOT/usr/sbin/policy-rc.d"
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server \
  >>"$SCRATCH/dist-test-apt.log" 2>&1 || fail "apt-get install redis-server in the test root."
demo=$(in_root cachewatch demo --text --duration 3s 2>&1) || { echo "$demo" >&2; fail "cachewatch demo --text exits non-zero."; }
grep -q 'redis-server on 127.0.0.1:' <<<"$demo" || { echo "$demo" >&2; fail "cachewatch demo --text output."; }
[ -z "$(root_processes)" ] || fail "cachewatch demo left a process running: $(root_processes)"
pass "cachewatch demo --text --duration 3s (with redis-server installed)"

complete_line() {   # prints what the installed bash completion offers for the words given
  in_root bash --norc -c '
    source /usr/share/bash-completion/completions/cachewatch || exit 1
    function=$(complete -p cachewatch | sed -n "s/.*-F \([^ ]*\) .*/\1/p")
    [ -n "$function" ] || exit 2
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; COMPREPLY=()
    "$function" cachewatch "${!#}" "${COMP_WORDS[COMP_CWORD - 1]}" 2>/dev/null
    printf "%s\n" "${COMPREPLY[@]}"' bash "$@"
}
offered=$(complete_line cachewatch snap) || fail "sourcing the bash completion script."
grep -qx 'snapshot' <<<"$offered" || fail "bash completion of 'cachewatch snap' offers: $offered"
offered=$(complete_line cachewatch snapshot --js) || fail "sourcing the bash completion script."
grep -qx -- '--json' <<<"$offered" || fail "bash completion of 'cachewatch snapshot --js' offers: $offered"
pass "bash completion: 'cachewatch snap<TAB>' -> snapshot, 'cachewatch snapshot --js<TAB>' -> --json"

# Every library the packaged binary loads comes from a package in its Depends, or from glibc.
depends=$(in_root dpkg-query -W -f '${Depends}' cachewatch | tr ',' '\n' | sed 's/(.*//; s/|.*//; s/ //g')
# (usrmerge: ldd says /lib/…, a package may list /usr/lib/…, or the other way round.)
owner_of() {
  local real candidate
  real=$(in_root realpath "$1")
  for candidate in "$1" "/usr${1#/usr}" "${1#/usr}" "$real" "/usr${real#/usr}" "${real#/usr}"; do
    in_root dpkg -S "$candidate" 2>/dev/null | cut -d: -f1 | head -1 | grep . && return 0
  done
  return 0
}
while read -r library; do
  owner=$(owner_of "$library")
  [ -n "$owner" ] || fail "ldd: $library belongs to no package."
  [ "$owner" = libc6 ] || grep -qx "$owner" <<<"$depends" || fail "ldd: $library comes from $owner, not in Depends."
  echo "    $library ($owner)"
done < <(in_root ldd /usr/bin/cachewatch | awk '/=> \// {print $3} /^\t\// {print $1}')
pass "ldd names only libraries from Depends and glibc"

# make install (the staged build of make dist) into a DESTDIR, then make uninstall.
INSTALL_ROOT="$SCRATCH/install-test"
rm -rf "$INSTALL_ROOT"
SKIP_STAGE=1 DESTDIR="$INSTALL_ROOT" PREFIX=/usr/local bash packaging/install.sh >/dev/null
for file in bin/cachewatch share/man/man1/cachewatch.1 share/bash-completion/completions/cachewatch \
  share/zsh/site-functions/_cachewatch share/fish/vendor_completions.d/cachewatch.fish \
  share/cachewatch/themes/default.toml share/doc/cachewatch/README.md share/doc/cachewatch/LICENSE; do
  [ -s "$INSTALL_ROOT/usr/local/$file" ] || fail "make install did not install $file."
done
printf 'name = "broken"\ncolors = 7\n' >"$INSTALL_ROOT/usr/local/share/cachewatch/themes/broken.toml"
message=$(env -i PATH=/usr/bin:/bin HOME=/nonexistent "$INSTALL_ROOT/usr/local/bin/cachewatch" --theme broken 2>&1 >/dev/null) \
  && fail "a broken theme was accepted."
grep -q "$INSTALL_ROOT/usr/local/share/cachewatch/themes/broken.toml:2: " <<<"$message" || fail "theme lookup: $message"
DESTDIR="$INSTALL_ROOT" PREFIX=/usr/local bash packaging/install.sh uninstall >/dev/null
left=$(find "$INSTALL_ROOT" -type f)
[ -z "$left" ] || fail "make uninstall left: $left"
rm -rf "$INSTALL_ROOT"
pass "make install DESTDIR=… PREFIX=/usr/local (themes looked up in <prefix>/share), make uninstall"

echo "dist-test: all checks passed in a Debian 12 minbase root without Swift."
