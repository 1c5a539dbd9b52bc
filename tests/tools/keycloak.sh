#!/usr/bin/env bash
# Fetches Keycloak (Maven Central's org.keycloak:keycloak-quarkus-dist, the same server the official image runs) at
# the version components/keycloak/version.ts pins, checks its integrity, unpacks it into a cache outside the
# repository and runs `kc.sh build` once with the build options the tests start it with (`--optimized`).
# Reused when complete. Prints the Keycloak home folder.
#   PACSTACK_TOOLS_DIR  cache folder (default: ~/.cache/pacstack-tools)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
version="$(sed -n 's/^export const KEYCLOAK_VERSION = "\([0-9.]*\)";$/\1/p' "$here/../../components/keycloak/version.ts")"
[ -n "$version" ] || { echo "keycloak.sh: no KEYCLOAK_VERSION in components/keycloak/version.ts" >&2; exit 1; }
# SHA-512 of keycloak-quarkus-dist-<version>.zip, recorded from the download Maven verified against Central's SHA-1.
declare -A SHA512=(
  [26.7.3]=15c764765576eef267cf15cc5225a5826b5394a25a83d9bfa5b8544e4bbba690cb743c9d384200b93bb71ee4c4a328e1dd8c0a00f822fd3e6e154f14b1e47216
)
[ -n "${SHA512[$version]:-}" ] || { echo "keycloak.sh: no SHA-512 recorded for Keycloak $version" >&2; exit 1; }
# Debian's JDK 17 (openjdk-17-jre-headless, installed by .ci/run): one of the JDKs Keycloak supports (17, 21, 25).
export JAVA_HOME="${PACSTACK_KEYCLOAK_JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}"
cache="${PACSTACK_TOOLS_DIR:-$HOME/.cache/pacstack-tools}"
out="$cache/keycloak-$version"
mkdir -p "$cache"
exec 9>"$cache/.keycloak.lock"
flock 9  # one fetch and build at a time per cache; the others then reuse it
if [ -f "$out/.complete" ]; then
  echo "reuse keycloak $version ($out)" >&2
  echo "$out/keycloak-$version"
  exit 0
fi
echo "fetch keycloak $version" >&2
start=$SECONDS
rm -rf "$out" "$out.tmp"
mkdir -p "$out.tmp"
# --strict-checksums: Maven refuses a download whose SHA-1 differs from the one Central serves beside it.
mvn -B -q --strict-checksums -Dstyle.color=never org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
  -Dartifact="org.keycloak:keycloak-quarkus-dist:$version:zip" -DoutputDirectory="$out.tmp" >&2
zip="$out.tmp/keycloak-quarkus-dist-$version.zip"
echo "${SHA512[$version]}  $zip" | sha512sum --check --quiet >&2
(cd "$out.tmp" && unzip -q "$zip" && rm "$zip")
home="$out.tmp/keycloak-$version"
# Build options (fixed into the optimized server): PostgreSQL, health and metrics on the management port, served
# under /auth as the component serves it. Infinispan stays the default distributed cache (the image's).
"$home/bin/kc.sh" build --db=postgres --health-enabled=true --metrics-enabled=true --http-relative-path=/auth >&2
mv "$out.tmp" "$out"
touch "$out/.complete"
echo "built keycloak $version in $((SECONDS - start)) s" >&2
echo "$out/keycloak-$version"
