#!/usr/bin/env bash
# Build the Linux bundle dist/imr-desktop/ (PyInstaller, one folder) from a checkout.
#
#   packaging/build-linux.sh                  # clean checkout: makes build/venv itself
#   PYTHON=.venv/bin/python packaging/build-linux.sh   # use an existing environment
#
# Without PYTHON the script creates build/venv, installs the app (which pulls its pinned
# dependencies) and PyInstaller into it, so the bundle holds exactly what pyproject.toml
# asks for. With PYTHON it uses that interpreter's environment as it is; it must have
# the app's dependencies and PyInstaller (the test extra has both).
# DIST_DIR and WORK_DIR move the output (default dist/) and PyInstaller's work folder.
# Needs python3 (≥ 3.11) with venv, and tar; the result runs on Linux x86-64 machines
# with a glibc at least as new as the build machine's.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DIST_DIR=${DIST_DIR:-$ROOT/dist}
WORK_DIR=${WORK_DIR:-$ROOT/build/pyinstaller}

if [ -z "${PYTHON:-}" ]; then
  python3 -m venv "$ROOT/build/venv"
  "$ROOT/build/venv/bin/python" -m pip install -q --upgrade pip
  "$ROOT/build/venv/bin/python" -m pip install -q "$ROOT" "pyinstaller>=6.10"
  PYTHON=$ROOT/build/venv/bin/python
fi
VERSION=$("$PYTHON" -c 'import sys; sys.path.insert(0, "."); import imr_desktop; print(imr_desktop.__version__)')

start=$(date +%s)
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$DIST_DIR" --workpath "$WORK_DIR" packaging/imr-desktop.spec

# The AGPL asks that the source travel with the program: put this checkout's source in
# the bundle, where Help › About points (sys._MEIPASS/source).
BUNDLE=$DIST_DIR/imr-desktop
mkdir -p "$BUNDLE/_internal/source"
tar --exclude=__pycache__ --exclude='*.pyc' -czf \
  "$BUNDLE/_internal/source/imr-desktop-$VERSION-src.tar.gz" \
  pyproject.toml README.md .ci imr_desktop resources packaging tests

"$BUNDLE/imr-desktop" --version
echo "built $BUNDLE in $(( $(date +%s) - start )) s, $(du -sh "$BUNDLE" | cut -f1) unpacked"
