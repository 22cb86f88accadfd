#!/usr/bin/env bash
# make install / make uninstall: the staged build (packaging/stage.sh) into $DESTDIR$PREFIX
# (PREFIX=/usr/local by default): bin/cachewatch, share/man/man1/cachewatch.1, shell completions,
# share/cachewatch/themes (where cachewatch looks for themes beside its bin/), share/doc/cachewatch.
set -euo pipefail
cd "$(dirname "$0")/.."
PREFIX=${PREFIX:-/usr/local}
DESTDIR=${DESTDIR:-}
TARGET="$DESTDIR$PREFIX"
FILES=(bin/cachewatch share/man/man1/cachewatch.1 share/bash-completion/completions/cachewatch
  share/zsh/site-functions/_cachewatch share/fish/vendor_completions.d/cachewatch.fish
  share/doc/cachewatch/README.md share/doc/cachewatch/LICENSE)

if [ "${1:-install}" = uninstall ]; then
  for file in "${FILES[@]}"; do rm -f "$TARGET/$file"; done
  rm -rf "$TARGET/share/cachewatch"
  rmdir "$TARGET/share/doc/cachewatch" 2>/dev/null || true
  echo "removed cachewatch from $TARGET"
  exit 0
fi

STAGE=${DIST_SCRATCH:-.build-dist}/stage
[ "${SKIP_STAGE:-0}" = 1 ] || bash packaging/stage.sh
install -D -m 0755 "$STAGE/cachewatch" "$TARGET/bin/cachewatch"
install -D -m 0644 "$STAGE/cachewatch.1" "$TARGET/share/man/man1/cachewatch.1"
install -D -m 0644 "$STAGE/completion.bash" "$TARGET/share/bash-completion/completions/cachewatch"
install -D -m 0644 "$STAGE/completion.zsh" "$TARGET/share/zsh/site-functions/_cachewatch"
install -D -m 0644 "$STAGE/completion.fish" "$TARGET/share/fish/vendor_completions.d/cachewatch.fish"
for theme in themes/*.toml; do install -D -m 0644 "$theme" "$TARGET/share/cachewatch/themes/$(basename "$theme")"; done
install -D -m 0644 README.md "$TARGET/share/doc/cachewatch/README.md"
install -D -m 0644 LICENSE "$TARGET/share/doc/cachewatch/LICENSE"
echo "installed cachewatch $("$TARGET/bin/cachewatch" --version | head -1 | cut -d' ' -f2) into $TARGET"
