#!/usr/bin/env bash
# Installs what CaseDB needs to build, run and test on Debian 12 (bookworm).
# Idempotent: apt-get skips what is already there.
set -euo pipefail

packages=(
  # build
  meson ninja-build pkg-config gcc gettext appstream desktop-file-utils
  libglib2.0-dev libglib2.0-dev-bin libjson-glib-dev libgcrypt20-dev libsqlcipher-dev
  libgtk-4-dev libadwaita-1-dev libcairo2-dev libpango1.0-dev
  # run: the sqlcipher shell (for the README's checks), fonts for Arabic
  sqlcipher fonts-noto-core fonts-cantarell adwaita-icon-theme
  # test: widget tests under Xvfb, screenshots, valgrind, fuzzing
  xvfb xauth imagemagick xdotool valgrind clang libclang-rt-14-dev sqlite3 python3
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "Installing: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
