#!/usr/bin/env bash
# Opt-in: make @tensorflow/tfjs-node 4.22.0 work WITHOUT internet.
#
# tfjs-node's own install script downloads libtensorflow 2.9.1 and a prebuilt addon from a
# cloud bucket; offline both fail and npm drops the optional package. But the TensorFlow pip
# wheel already ships a libtensorflow: `libtensorflow_cc.so.2` exports the whole TF_*/TFE_*
# C API that the addon calls, `libtensorflow_framework.so.2` beside it, and the C API headers
# under `tensorflow/include/tensorflow/c/`. This script points tfjs-node's `deps/` at those
# files and compiles the addon locally with node-gyp against the Node headers on this
# machine (so node-gyp downloads nothing either). See docs/tfjs-node.md.
#
# Usage: scripts/setup_tfjs_node.sh [--prefix DIR] [--python PYTHON]
#   --prefix DIR     the npm project whose node_modules gets tfjs-node (default: current dir).
#   --python PYTHON  a Python with the `tensorflow` pip package (default: $PYTHON, else
#                    .venv/bin/python of the current dir, else python3).
# Needs: npm (registry access for the package itself), g++, make, python3, Node headers
# (include/node/node_api.h next to the node binary; Debian: the nodejs or libnode-dev package).
set -euo pipefail

TFJS_NODE_VERSION=4.22.0
PREFIX=$PWD
PY=${PYTHON:-}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --prefix) PREFIX=$2; shift 2 ;;
    --python) PY=$2; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "setup_tfjs_node.sh: unknown argument '$1' (see --help)" >&2; exit 1 ;;
  esac
done

fail() { echo "setup_tfjs_node.sh: $*" >&2; exit 1; }

if [[ -z "$PY" ]]; then
  if [[ -x "$PWD/.venv/bin/python" ]]; then PY="$PWD/.venv/bin/python"; else PY=python3; fi
fi
mkdir -p "$PREFIX"
PREFIX=$(cd "$PREFIX" && pwd)

# 1. Where the TensorFlow wheel lives (found without importing TensorFlow: that takes seconds).
TF_DIR=$("$PY" -c 'import importlib.util as u; s = u.find_spec("tensorflow"); print(s.submodule_search_locations[0] if s else "")') \
  || fail "cannot run '$PY'; pass --python with a Python that has the tensorflow pip package"
[[ -n "$TF_DIR" ]] || fail "'$PY' has no 'tensorflow' package; pip install tensorflow (or pass --python)"
for f in libtensorflow_cc.so.2 libtensorflow_framework.so.2 include/tensorflow/c/c_api.h include/tensorflow/c/eager/c_api.h; do
  [[ -e "$TF_DIR/$f" ]] || fail "$TF_DIR/$f is missing: this TensorFlow wheel does not ship the C API (need TensorFlow >= 2.16 on Linux x86_64)"
done

# 2. Node headers, so node-gyp does not try to download them.
NODE_ROOT=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
[[ -f "$NODE_ROOT/include/node/node_api.h" ]] \
  || fail "no Node headers at $NODE_ROOT/include/node (node-gyp would download them): install your distribution's Node headers (e.g. libnode-dev)"
NPM_DIR=$(dirname "$(readlink -f "$(command -v npm)")")/..
NODE_GYP="$NPM_DIR/node_modules/node-gyp/bin/node-gyp.js"
[[ -f "$NODE_GYP" ]] || fail "npm's bundled node-gyp not found at $NODE_GYP"

# 3. The package itself, without its install script (that one would download).
PKG="$PREFIX/node_modules/@tensorflow/tfjs-node"
if [[ ! -f "$PKG/package.json" ]]; then
  [[ -f "$PREFIX/package.json" ]] || echo '{"name":"tfjs-node-local","version":"1.0.0","private":true}' > "$PREFIX/package.json"
  echo "* npm install --ignore-scripts @tensorflow/tfjs-node@$TFJS_NODE_VERSION (in $PREFIX)"
  (cd "$PREFIX" && npm install --no-save --ignore-scripts --no-audit --no-fund "@tensorflow/tfjs-node@$TFJS_NODE_VERSION")
fi
GOT=$(node -p "require('$PKG/package.json').version")
[[ "$GOT" == "$TFJS_NODE_VERSION" ]] || fail "$PKG is version $GOT, expected $TFJS_NODE_VERSION"

# 4. deps/ = links into the wheel. The names tfjs-node's binding.gyp links against
#    (-ltensorflow -ltensorflow_framework), the sonames the addon will ask for at run time
#    (libtensorflow_cc.so.2, libtensorflow_framework.so.2; found through its rpath
#    $ORIGIN/../../deps/lib), and the 2.9.1 names its install script checks before downloading.
echo "* linking $PKG/deps -> $TF_DIR"
rm -rf "$PKG/deps"
mkdir -p "$PKG/deps/lib"
ln -s "$TF_DIR/include" "$PKG/deps/include"
ln -s "$TF_DIR/libtensorflow_cc.so.2" "$PKG/deps/lib/libtensorflow_cc.so.2"
ln -s "$TF_DIR/libtensorflow_framework.so.2" "$PKG/deps/lib/libtensorflow_framework.so.2"
for name in libtensorflow.so libtensorflow.so.2 libtensorflow.so.2.9.1; do ln -s libtensorflow_cc.so.2 "$PKG/deps/lib/$name"; done
for name in libtensorflow_framework.so libtensorflow_framework.so.2.9.1; do ln -s libtensorflow_framework.so.2 "$PKG/deps/lib/$name"; done

# 5. Compile the addon (about 1.5 minutes on 2 cores).
echo "* compiling the tfjs-node addon against $TF_DIR (node headers: $NODE_ROOT/include/node)"
PRE_GYP="$PREFIX/node_modules/@mapbox/node-pre-gyp/bin/node-pre-gyp"
[[ -f "$PRE_GYP" ]] || fail "$PRE_GYP missing (a dependency of tfjs-node): reinstall @tensorflow/tfjs-node"
LOG=$(mktemp)
if ! (cd "$PKG" && npm_config_node_gyp="$NODE_GYP" node "$PRE_GYP" rebuild --build-from-source --nodedir="$NODE_ROOT" >"$LOG" 2>&1); then
  tail -30 "$LOG" >&2
  fail "building the addon failed (full log: $LOG)"
fi
rm -f "$LOG"

# 6. Prove it: load the backend and run one op on it.
echo "* checking that tfjs-node loads"
TF_CPP_MIN_LOG_LEVEL=2 node -e "
const tf = require('$PKG');
if (tf.getBackend() !== 'tensorflow') throw new Error('backend is ' + tf.getBackend());
const y = tf.matMul(tf.ones([2, 3]), tf.ones([3, 2])).dataSync();
if (y[0] !== 3) throw new Error('matMul gave ' + y[0]);
console.log('tfjs-node ' + tf.version['tfjs-node'] + ' works (backend: tensorflow, libtensorflow from $TF_DIR)');
"
