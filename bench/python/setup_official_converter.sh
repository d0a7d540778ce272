#!/usr/bin/env bash
# Creates the official converter's own venv (pip tensorflowjs 4.22.0 and its pinned
# dependencies, requirements-official-converter.txt) when it is missing. Idempotent: an
# existing complete venv is left alone. Built in a temporary folder and renamed into place, so
# an interrupted install never leaves a half venv that looks complete.
# Usage: bench/python/setup_official_converter.sh [VENV_DIR]   (default: bench/python/.venv-tfjs)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
VENV=${1:-$HERE/.venv-tfjs}
PY=${PYTHON3:-python3}
if [[ -x "$VENV/bin/tensorflowjs_converter" ]]; then exit 0; fi
"$PY" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' \
  || echo "setup_official_converter.sh: warning: pins were resolved on Python 3.11; $("$PY" -V) may not resolve them" >&2
TMP="$VENV.partial"
rm -rf "$TMP"
"$PY" -m venv "$TMP"
"$TMP/bin/pip" install --quiet --upgrade pip
"$TMP/bin/pip" install --quiet -r "$HERE/requirements-official-converter.txt"
rm -rf "$VENV"
mv "$TMP" "$VENV"
# venv scripts carry their absolute path in the shebang and in bin/activate: fix them after the move.
grep -rlI --null "$TMP" "$VENV/bin" | xargs -0 -r sed -i "s#$TMP#$VENV#g"
"$VENV/bin/tensorflowjs_converter" --version >/dev/null 2>&1 || { echo "setup_official_converter.sh: tensorflowjs_converter does not start" >&2; exit 1; }
echo "official converter ready: $VENV/bin/tensorflowjs_converter"
