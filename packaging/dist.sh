#!/usr/bin/env bash
# make dist: a release build with the Swift runtime linked in, stripped, packed as
#   dist/cachewatch-<version>-linux-<machine>.tar.gz   (a prefix: bin/, share/…, README.md, LICENSE)
#   dist/cachewatch_<version>_<debian-arch>.deb         (/usr/bin/cachewatch, man page, completions, themes)
# each with a .sha256 beside it. The man page and the completion scripts are generated from the binary's
# own argument parser (swift-argument-parser's generate-manual plugin, --generate-completion-script),
# so they cannot drift from the real flags.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=${DIST_DIR:-dist}
# File times in the archives are the last commit's (dpkg-deb reads SOURCE_DATE_EPOCH).
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
export SOURCE_DATE_EPOCH
STAGE=${DIST_SCRATCH:-.build-dist}/stage
bash packaging/stage.sh
BIN="$STAGE/cachewatch"
BUILT="${DIST_SCRATCH:-.build-dist}/release/cachewatch"
VERSION=$("$BIN" --version | head -1 | cut -d' ' -f2)
MACHINE=$(uname -m)
DEB_ARCH=$(dpkg --print-architecture)
step() { printf '\n== %s\n' "$*"; }

mkdir -p "$OUT"

# A prefix laid out as /usr/local expects it: `tar -C /usr/local --strip-components=1 -xzf …` installs it.
step "tarball"
NAME="cachewatch-$VERSION-linux-$MACHINE"
TREE="$STAGE/tar/$NAME"
install -D -m 0755 "$BIN" "$TREE/bin/cachewatch"
install -D -m 0644 "$STAGE/cachewatch.1" "$TREE/share/man/man1/cachewatch.1"
install -D -m 0644 "$STAGE/completion.bash" "$TREE/share/bash-completion/completions/cachewatch"
install -D -m 0644 "$STAGE/completion.zsh" "$TREE/share/zsh/site-functions/_cachewatch"
install -D -m 0644 "$STAGE/completion.fish" "$TREE/share/fish/vendor_completions.d/cachewatch.fish"
for theme in themes/*.toml; do install -D -m 0644 "$theme" "$TREE/share/cachewatch/themes/$(basename "$theme")"; done
install -m 0644 README.md LICENSE "$TREE/"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" \
  -C "$STAGE/tar" -czf "$OUT/$NAME.tar.gz" "$NAME"

step ".deb"
DEB_NAME="cachewatch_${VERSION}_$DEB_ARCH"
ROOT="$STAGE/deb/$DEB_NAME"
install -D -m 0755 "$BIN" "$ROOT/usr/bin/cachewatch"
install -d -m 0755 "$ROOT/usr/share/man/man1"
gzip -9n <"$STAGE/cachewatch.1" >"$ROOT/usr/share/man/man1/cachewatch.1.gz"
chmod 0644 "$ROOT/usr/share/man/man1/cachewatch.1.gz"
install -D -m 0644 "$STAGE/completion.bash" "$ROOT/usr/share/bash-completion/completions/cachewatch"
install -D -m 0644 "$STAGE/completion.zsh" "$ROOT/usr/share/zsh/vendor-completions/_cachewatch"
install -D -m 0644 "$STAGE/completion.fish" "$ROOT/usr/share/fish/vendor_completions.d/cachewatch.fish"
for theme in themes/*.toml; do install -D -m 0644 "$theme" "$ROOT/usr/share/cachewatch/themes/$(basename "$theme")"; done
install -D -m 0644 README.md "$ROOT/usr/share/doc/cachewatch/README.md"
{ echo "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"
  echo "Upstream-Name: cachewatch"
  echo
  echo "Files: *"
  echo "License: MIT"
  sed 's/^$/./; s/^/ /' LICENSE
} >"$ROOT/usr/share/doc/cachewatch/copyright"
chmod 0644 "$ROOT/usr/share/doc/cachewatch/copyright"
DEPENDS=$(bash packaging/shlibdeps.sh "$ROOT/usr/bin/cachewatch")
mkdir -p "$ROOT/DEBIAN"
cat >"$ROOT/DEBIAN/control" <<CONTROL
Package: cachewatch
Version: $VERSION
Architecture: $DEB_ARCH
Maintainer: cachewatch authors <cachewatch@localhost>
Installed-Size: $(du -sk --exclude=DEBIAN "$ROOT" | cut -f1)
Depends: $DEPENDS
Recommends: redis-tools
Suggests: redis-server
Section: utils
Priority: optional
Description: terminal dashboard for a web app's Redis cache
 cachewatch watches the Redis cache of a FastAPI-boilerplate app from a
 terminal: server health, key families and their TTLs from a read-only,
 rate-limited SCAN census, and fail-open errors counted in the app's logs.
 The Swift runtime is linked in: no Swift toolchain is needed.
CONTROL
(cd "$ROOT" && find usr -type f -print0 | sort -z | xargs -0 md5sum) >"$ROOT/DEBIAN/md5sums"
dpkg-deb --root-owner-group -Zxz --build "$ROOT" "$OUT/$DEB_NAME.deb" >/dev/null

step "checksums"
for artifact in "$NAME.tar.gz" "$DEB_NAME.deb"; do (cd "$OUT" && sha256sum "$artifact" >"$artifact.sha256"); done
echo "Depends: $DEPENDS"
ls -l "$OUT/$NAME.tar.gz" "$OUT/$DEB_NAME.deb"
echo "binary: $(stat -c %s "$BUILT") bytes built, $(stat -c %s "$BIN") stripped"
