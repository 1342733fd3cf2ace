#!/bin/sh
# The README's first command: install what is missing, build, and open the
# console on the embedded defaults (private store + phalanx sim demo).
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh
make
exec sh scripts/demo.sh
