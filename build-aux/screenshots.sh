#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Renders the main views of CaseDB as PNGs into OUTDIR: the unlock page of
# the demo database, the pages of each demo role and one view in Arabic
# (right to left).  The metainfo's screenshots are these files.
#
#   build-aux/screenshots.sh OUTDIR [WIDTHxHEIGHT]
#
# Needs meson, ninja, Xvfb, xdotool and ImageMagick's import.  Only the
# published demo database is used: never point this at real cases.
set -euo pipefail

out=${1:?usage: $0 OUTDIR [WIDTHxHEIGHT]}
size=${2:-1280x800}
width=${size%x*}
height=${size#*x}
src=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)

for tool in meson Xvfb xdotool import; do
  command -v "$tool" >/dev/null || { echo "screenshots.sh: $tool is missing" >&2; exit 1; }
done

work=$(mktemp -d -t casedb-shots-XXXXXX)
xvfb_pid=
app_pid=
cleanup() {
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null || true
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Installed into a private prefix, so that the schema, the icons and the
# translations are found exactly as in a real installation.
echo "Building into $work/prefix…"
meson setup "$work/build" "$src" --prefix "$work/prefix" -Dgui=enabled >"$work/build.log" 2>&1
meson install -C "$work/build" >>"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }

# Arabic needs a compiled locale; make one privately when the system has none.
ar_locale=ar_EG.UTF-8
if ! locale -a 2>/dev/null | grep -qi '^ar_EG\.utf-\?8$'; then
  mkdir -p "$work/locale"
  localedef -i ar_EG -f UTF-8 "$work/locale/$ar_locale" >/dev/null 2>&1 || true
  export LOCPATH="$work/locale"
fi

# Xvfb picks a free display and writes its number to fd 3.
exec 3>"$work/display"
Xvfb -displayfd 3 -screen 0 "$((width + 64))x$((height + 64))x24" -nolisten tcp >/dev/null 2>&1 &
xvfb_pid=$!
exec 3>&-
for _ in $(seq 50); do [ -s "$work/display" ] && break; sleep 0.1; done
export DISPLAY=":$(cat "$work/display")"

mkdir -p "$work/config/glib-2.0/settings" "$work/data/casedb"
cat >"$work/config/glib-2.0/settings/keyfile" <<EOF
[org/example/CaseDB]
window-width=$width
window-height=$height
auto-lock-minutes=0
EOF

export GSETTINGS_BACKEND=keyfile
export GSETTINGS_SCHEMA_DIR="$work/prefix/share/glib-2.0/schemas"
export XDG_CONFIG_HOME="$work/config"
export XDG_DATA_HOME="$work/data"
export XDG_DATA_DIRS="$work/prefix/share:/usr/share"
export GDK_BACKEND=x11 GSK_RENDERER=cairo NO_AT_BRIDGE=1 GTK_A11Y=none

# Create the demo database once, up front, with the CLI.
"$work/prefix/bin/casedb-tool" demo "$XDG_DATA_HOME/casedb/demo.casedb" >/dev/null

window=
start_app() {
  env "$@" "$work/prefix/bin/casedb" --demo >>"$work/app.log" 2>&1 &
  app_pid=$!
  window=$(xdotool search --sync --onlyvisible --name '^CaseDB$' | head -n1)
  xdotool windowfocus --sync "$window" 2>/dev/null || true
  sleep 2
}

stop_app() {
  kill "$app_pid" 2>/dev/null || true
  wait "$app_pid" 2>/dev/null || true
  app_pid=
}

shot() {
  sleep 1.5
  import -window "$window" "$out/$1.png"
  echo "  $out/$1.png"
}

unlock() {
  xdotool type --delay 15 "$1"
  xdotool key Return
  xdotool type --delay 15 "$2"
  xdotool key Return
  sleep 3
}

# Double-clicks the first row of the case list (row height and header are
# the same at every window size).
open_first_case() {
  xdotool mousemove --window "$window" 420 142 click --repeat 2 --delay 120 1
  sleep 2
}

echo "Taking screenshots…"
start_app
shot unlock
unlock karim demo-caseworker
shot caseworker-cases
open_first_case
shot caseworker-editor
stop_app

start_app
unlock lina demo-analyst
shot analyst-cases
open_first_case
shot analyst-editor
xdotool key alt+2
shot analyst-statistics
stop_app

start_app
unlock sara demo-supervisor
shot supervisor-cases
xdotool key alt+2
shot supervisor-statistics
xdotool key alt+3
shot supervisor-users
xdotool key alt+4
shot supervisor-audit
xdotool key alt+5
shot supervisor-share
stop_app

# Right to left once po/ar.po exists: GLib shows no translation at all (and
# GTK keeps left to right) for a language the app itself is not translated to.
start_app LANG="$ar_locale" LC_ALL="$ar_locale" LANGUAGE=ar
unlock lina demo-analyst
shot arabic-cases
stop_app
