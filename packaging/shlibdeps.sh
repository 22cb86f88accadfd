#!/usr/bin/env bash
# Prints the Debian Depends line of an ELF binary: dpkg-shlibdeps (versioned, e.g. `libc6 (>= 2.34)`)
# when dpkg-dev is there, else the packages owning the libraries `ldd` resolves. Always includes
# libhiredis0.14 and libncursesw6.
set -euo pipefail
binary=$(realpath "$1")
if command -v dpkg-shlibdeps >/dev/null; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/debian"
  printf 'Source: cachewatch\n\nPackage: cachewatch\nArchitecture: any\n' >"$work/debian/control"
  line=$(cd "$work" && dpkg-shlibdeps -O "$binary" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
else
  line=$(ldd "$binary" | awk '/=> \// {print $3}' | xargs -r -n1 realpath | xargs -r dpkg -S 2>/dev/null \
    | cut -d: -f1 | sort -u | paste -sd, | sed 's/,/, /g')
fi
[ -n "$line" ] || { echo "shlibdeps: no dependencies found for $binary" >&2; exit 1; }
for required in libhiredis0.14 libncursesw6; do
  grep -q "\b$required\b" <<<"$line" || line="$line, $required"
done
echo "$line"
