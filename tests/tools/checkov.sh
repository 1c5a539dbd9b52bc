#!/usr/bin/env bash
# Installs Checkov from PyPI at the pinned version into a virtualenv outside the repository (reused when complete)
# and prints the path of its `checkov` program.
#   PACSTACK_TOOLS_DIR  cache folder (default: ~/.cache/pacstack-tools)
set -euo pipefail
CHECKOV_VERSION=3.3.30
cache="${PACSTACK_TOOLS_DIR:-$HOME/.cache/pacstack-tools}"
venv="$cache/checkov-$CHECKOV_VERSION"
mkdir -p "$cache"
exec 9>"$cache/.checkov.lock"
flock 9  # one install at a time per cache; the others then reuse it
if [ -f "$venv/.complete" ]; then
  echo "reuse checkov $CHECKOV_VERSION ($venv)" >&2
  echo "$venv/bin/checkov"
  exit 0
fi
echo "install checkov $CHECKOV_VERSION" >&2
start=$SECONDS
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check "checkov==$CHECKOV_VERSION" >&2
touch "$venv/.complete"
echo "installed checkov $CHECKOV_VERSION in $((SECONDS - start)) s" >&2
echo "$venv/bin/checkov"
