#!/bin/sh
# npm run deploy -- <stack>: checks the prerequisites, then installs, builds and runs `pulumi up` for the stack.
# State goes to the backend Pulumi.yaml names (file://~/.pulumi-pacstack) unless PULUMI_BACKEND_URL says otherwise,
# so `pulumi preview`, `pulumi stack output` and `pulumi destroy` typed in this folder use the same state.
set -e
cd "$(dirname "$0")/.."
stack="$1"
if [ -z "$stack" ]; then
  echo "usage: npm run deploy -- <stack>   (stacks: $(ls Pulumi.*.yaml | sed 's/^Pulumi\.\(.*\)\.yaml$/\1/' | tr '\n' ' '))" >&2
  exit 2
fi
if ! command -v node >/dev/null 2>&1; then
  echo "✗ Node.js not found on PATH: install Node.js 22 or newer (https://nodejs.org/)" >&2
  exit 1
fi
node scripts/prerequisites.cjs "$stack"

npm ci
npm run build
backend="${PULUMI_BACKEND_URL:-file://~/.pulumi-pacstack}"
case "$backend" in
  file://~*) dir="$HOME${backend#file://~}" ;;
  file://*) dir="${backend#file://}" ;;
  *) dir="" ;;
esac
# The local backend's folder must exist before the first `pulumi stack select`.
[ -z "$dir" ] || mkdir -p "$dir"
pulumi stack select --create "$stack"
pulumi up --stack "$stack"
