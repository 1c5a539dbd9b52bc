#!/usr/bin/env bash
# Builds the root folder of the "newest Orthanc" test tier: a minimal Debian sid (debootstrap) with the Orthanc
# packages pinned below, into a cache outside the repository keyed by those versions. A folder already in the cache
# is reused. Prints its path on standard output. Needs root (debootstrap, chroot).
#   PACSTACK_ROOTFS_DIR    cache folder (default: /var/cache/pacstack; not under a home folder, because other
#                          users must traverse it: PostgreSQL's test folders sit beside Orthanc's, inside the root)
#   PACSTACK_DEBIAN_MIRROR Debian mirror (default: the first one apt uses on this machine)
# The tests run the folder's /usr/sbin/Orthanc with `chroot --userspec=nobody:nogroup DIR`; it shares loopback.
# When sid has moved on and the mirror no longer serves a pinned version, update the pins (one place) and rerun.
set -euo pipefail
cache="${PACSTACK_ROOTFS_DIR:-/var/cache/pacstack}"

packages=(
  orthanc=1.13.0+dfsg-1+b1
  orthanc-dicomweb=1.24+dfsg-1+b1
  orthanc-postgresql=5.0+dfsg-7+b2
  orthanc-gdcm=1.8+dfsg-3+b2
  orthanc-webviewer=2.10+dfsg-3+b2
  orthanc-wsi=4.0+dfsg-2
  orthanc-neuro=1.1+dfsg-3+b2
)
# Unpinned helpers: the CA bundle HttpsCACertificates names.
helpers=(ca-certificates)

key="$(printf '%s\n' "${packages[@]}" "${helpers[@]}" | sha256sum | cut -c1-12)"
orthanc_version="${packages[0]#orthanc=}"
out="$cache/orthanc-sid-${orthanc_version%%+*}-$key"
reuse() {
  if [ -x "$out/usr/sbin/Orthanc" ]; then
    echo "reuse orthanc-sid ($out)" >&2
    echo "$out"
    exit 0
  fi
}
reuse
mkdir -p "$cache" && chmod 755 "$cache"
exec 9>"$cache/orthanc-sid.lock"
flock 9 # one build at a time, also across concurrent test runs
reuse

mirror="${PACSTACK_DEBIAN_MIRROR:-}"
if [ -z "$mirror" ]; then
  mirror="$(grep -hs -m1 '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2; exit}')"
fi
if [ -z "$mirror" ]; then
  mirror="$(grep -hs -m1 '^deb ' /etc/apt/sources.list | awk '{print $2; exit}')"
fi
[ -n "$mirror" ] || { echo "no Debian mirror found in /etc/apt; set PACSTACK_DEBIAN_MIRROR" >&2; exit 1; }

for tool in debootstrap chroot flock; do
  command -v "$tool" >/dev/null || { echo "$tool not found; install the Debian packages listed in .ci/run" >&2; exit 1; }
done

echo "build orthanc-sid ${packages[*]} from $mirror" >&2
start=$SECONDS
tmp="$out.tmp"
cleanup() { mountpoint -q "$tmp/proc" && umount "$tmp/proc"; rm -rf "$tmp"; }
trap cleanup EXIT
rm -rf "$tmp"
debootstrap --variant=minbase sid "$tmp" "$mirror" >&2
# The installation's maintainer scripts need /proc; nothing runs in the folder afterwards that does.
mount -t proc proc "$tmp/proc"
chroot "$tmp" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  "${packages[@]}" "${helpers[@]}" >&2
umount "$tmp/proc"
chroot "$tmp" apt-get clean
rm -rf "$out" && mv "$tmp" "$out"
trap - EXIT
echo "built orthanc-sid in $((SECONDS - start)) s" >&2
echo "$out"
