#!/usr/bin/env bash
# Builds the third-party programs the test tiers run, from their published Go modules at the versions pinned in
# the go.mod files beside this script, into a cache outside the repository keyed by tool and version.
# A tool already in the cache is reused. Prints one line per tool on standard output: NAME PATH-OF-BINARY.
#   PACSTACK_TOOLS_DIR  cache folder (default: ~/.cache/pacstack-tools)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${PACSTACK_TOOLS_DIR:-$HOME/.cache/pacstack-tools}"
export GOFLAGS=-mod=mod CGO_ENABLED=0
mkdir -p "$cache"
# One build at a time per cache: test processes started together (several checkouts, parallel CI jobs) wait for
# the first one's build instead of building the same tool again into the same folder.
exec 9>"$cache/.build.lock"
flock 9

# tool  module-folder  package  version-module (whose version names the cache entry)
tools=(
  "kube-apiserver kube k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes"
  "etcd etcd pacstack.test/tools/etcd go.etcd.io/etcd/server/v3"
  "kubectl kubectl pacstack.test/tools/kubectl k8s.io/kubectl"
  "traefik traefik github.com/traefik/traefik/v3/cmd/traefik github.com/traefik/traefik/v3"
  "oauth2-proxy oauth2-proxy github.com/oauth2-proxy/oauth2-proxy/v7 github.com/oauth2-proxy/oauth2-proxy/v7"
  "prometheus prometheus github.com/prometheus/prometheus/cmd/prometheus github.com/prometheus/prometheus"
  "promtool prometheus github.com/prometheus/prometheus/cmd/promtool github.com/prometheus/prometheus"
  "amtool alertmanager github.com/prometheus/alertmanager/cmd/amtool github.com/prometheus/alertmanager"
  "kube-state-metrics kube-state-metrics k8s.io/kube-state-metrics/v2 k8s.io/kube-state-metrics/v2"
  "postgres_exporter postgres-exporter github.com/prometheus-community/postgres_exporter/cmd/postgres_exporter github.com/prometheus-community/postgres_exporter"
  "rclone rclone github.com/rclone/rclone github.com/rclone/rclone"
)

version_of() { # module folder, module path -> the version its go.mod requires
  (cd "$here/$1" && go list -m -f '{{.Version}}' "$2")
}

build_tags_of() { # tool name -> Go build tags
  case "$1" in
    # Prometheus without its cloud service discoveries (static and file discovery stay): the tests scrape static
    # targets on loopback, and the AWS, Azure, GCE, ... clients are a sixth of the packages to compile.
    prometheus | promtool) echo remove_all_sd ;;
  esac
}

for entry in "${tools[@]}"; do
  read -r name folder pkg versionModule <<<"$entry"
  version="$(version_of "$folder" "$versionModule")"
  tags="$(build_tags_of "$name")"
  # content only (the same tool from any checkout), and the build tags when a tool has any
  sum="$({ cat "$here/$folder/go.mod" "$here/$folder/go.sum"; [ -z "$tags" ] || echo "tags=$tags"; } | sha256sum | cut -c1-12)"
  out="$cache/$name-$version-$sum"
  if [ -x "$out/$name" ]; then
    echo "reuse $name $version ($out)" >&2
    echo "$name $out/$name"
    continue
  fi
  echo "build $name $version" >&2
  start=$SECONDS
  mkdir -p "$out.tmp"
  ldflags="-s -w"
  case "$name" in
    traefik) ldflags="$ldflags -X github.com/traefik/traefik/v3/pkg/version.Version=$version" ;;
    oauth2-proxy) ldflags="$ldflags -X github.com/oauth2-proxy/oauth2-proxy/v7/pkg/version.VERSION=$version" ;;
    prometheus | promtool) # the module's v0.3XX.Y is Prometheus 3.XX.Y
      release="$(echo "$version" | sed -E 's/^v0\.3([0-9]{2})\.([0-9]+)$/3.\1.\2/; s/^3\.0([0-9])/3.\1/')"
      ldflags="$ldflags -X github.com/prometheus/common/version.Version=$release" ;;
    kube-state-metrics) ldflags="$ldflags -X github.com/prometheus/common/version.Version=${version#v}" ;;
    postgres_exporter | amtool) ldflags="$ldflags -X github.com/prometheus/common/version.Version=${version#v}" ;;
    rclone) ldflags="$ldflags -X github.com/rclone/rclone/fs.Version=$version" ;;
    kube-apiserver)
      ldflags="$ldflags -X k8s.io/component-base/version.gitVersion=$version -X k8s.io/component-base/version.gitMajor=1"
      ldflags="$ldflags -X k8s.io/component-base/version.gitMinor=$(echo "$version" | cut -d. -f2)" ;;
  esac
  (cd "$here/$folder" && go build -trimpath -tags "$tags" -ldflags "$ldflags" -o "$out.tmp/$name" "$pkg")
  rm -rf "$out" && mv "$out.tmp" "$out"
  echo "built $name $version in $((SECONDS - start)) s" >&2
  echo "$name $out/$name"
done
