#!/usr/bin/env bash
# The README's two set-up commands:
#   build-aux/setup.sh run    install what is missing, build, start CaseDB on the demo database
#   build-aux/setup.sh test   install what is missing, build, run the whole test suite
set -euo pipefail

cd "$(dirname "$0")/.."
what="${1:-}"
builddir="${BUILDDIR:-_build}"

case "$what" in
  run|test) ;;
  *) echo "usage: $0 run|test" >&2; exit 1 ;;
esac

bash build-aux/install-deps.sh

if [ ! -f "$builddir/build.ninja" ]; then
  meson setup "$builddir" ${MESON_ARGS:-}
fi
ninja -C "$builddir"

if [ "$what" = run ]; then
  exec "$builddir/src/gui/casedb" --demo
fi

# Widget tests need a display: use Xvfb when there is none.
if [ -z "${DISPLAY:-}" ]; then
  exec xvfb-run -a -s "-screen 0 1280x800x24" meson test -C "$builddir" --print-errorlogs ${MESON_TEST_ARGS:-}
else
  exec meson test -C "$builddir" --print-errorlogs ${MESON_TEST_ARGS:-}
fi
