#!/usr/bin/env bash
# Before `make test` / `make demo`: say in one line each what this machine lacks, and how to
# get it on Debian/Ubuntu. A missing Python or venv stops here (nothing can run without it);
# a missing Graphviz only means the SVG/PNG pictures cannot be drawn, which is said, not hidden.
set -u
python=${PYTHON:-python3}
if ! command -v "$python" >/dev/null 2>&1; then
  echo "preflight: $python not found; install it: sudo apt-get install -y python3 python3-venv"
  exit 1
fi
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "preflight: $("$python" -V 2>&1) is too old; cpworkflow needs Python 3.11 or newer (PYTHON=python3.12 make ...)"
  exit 1
fi
if ! "$python" -c 'import venv, ensurepip' >/dev/null 2>&1; then
  echo "preflight: $python cannot make a virtual environment; install it: sudo apt-get install -y python3-venv"
  exit 1
fi
if ! command -v dot >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "preflight: Graphviz 'dot' not found: make test installs it (apt-get install graphviz)"
  else
    echo "preflight: Graphviz 'dot' not found: the SVG/PNG diagram tests will skip and cpw diagram writes Mermaid and DOT only; to draw pictures: sudo apt-get install -y graphviz"
  fi
fi
exit 0
