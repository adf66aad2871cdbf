#!/usr/bin/env bash
# Downloads Debian riscv64 packages (with their dependency closure) into a cache and lays out
# root filesystems used by the tests, the demo and the benchmarks. Idempotent: a second run only
# re-creates what is missing.
#
#   scripts/fixtures.sh            -> prints the fixture directory on its last line
#   scripts/fixtures.sh --python-tests   also lays out rootfs/python-tests (for bench/waiting.sh)
#
# Environment: SKIFF_FIXTURES (default ~/.cache/skiff-fixtures).
# Layout:
#   $SKIFF_FIXTURES/apt/            private apt state and downloaded .debs
#   $SKIFF_FIXTURES/rootfs/debian   Debian-shaped riscv64 root: busybox-static bash python3 lua sqlite3 gawk perl coreutils
#   $SKIFF_FIXTURES/rootfs/busybox  a minimal root with only busybox-static and its applet links
#   $SKIFF_FIXTURES/rootfs/python-tests  (--python-tests) the Debian root plus CPython's own test
#                                   package (libpython3.13-testsuite, downloaded into apt-python-tests/)
set -euo pipefail
F=${SKIFF_FIXTURES:-$HOME/.cache/skiff-fixtures}
D=$F/apt
PACKAGES="busybox-static bash python3.13 lua5.4 sqlite3 gawk perl-base perl coreutils findutils grep sed gzip diffutils libc-bin base-passwd python3-minimal dash"
mkdir -p "$D/lists/partial" "$D/archives/partial"
[ -f "$D/status" ] || : > "$D/status"
mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
if [ -z "$mirror" ]; then
  mirror=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list)
fi
printf 'Types: deb\nURIs: %s\nSuites: trixie\nComponents: main\nArchitectures: riscv64\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$mirror" > "$D/riscv64.sources"
o=(-oAPT::Architecture=riscv64 -oAPT::Architectures=riscv64 -oDir::State::Lists="$D/lists"
   -oDir::Etc::SourceList="$D/riscv64.sources" -oDir::Etc::SourceParts=/dev/null
   -oDir::State::status="$D/status" -oDir::Cache::Archives="$D/archives" -oDebug::NoLocking=1
   -oAPT::Sandbox::User=root -oAcquire::Retries=3)
stamp="$F/.downloaded-$(echo "$PACKAGES" | md5sum | cut -c1-8)"
if [ ! -f "$stamp" ]; then
  echo "fixtures: downloading Debian trixie riscv64 packages into $D" >&2
  apt-get "${o[@]}" -qq update >&2
  apt-get "${o[@]}" -qq install -y --download-only --no-install-recommends $PACKAGES >&2
  touch "$stamp"
fi

lay_out() { # name, then .deb files
  local name=$1; shift
  local root="$F/rootfs/$name"
  if [ -f "$root/.complete" ]; then return; fi
  rm -rf "$root.tmp"; mkdir -p "$root.tmp"
  for f in "$@"; do dpkg-deb -x "$f" "$root.tmp"; done
  mkdir -p "$root.tmp"/{tmp,proc,dev,root,home,etc}
  chmod 1777 "$root.tmp/tmp"
  touch "$root.tmp/.complete"
  rm -rf "$root"; mv "$root.tmp" "$root"
}
lay_out debian "$D"/archives/*.deb
# /etc/hosts comes from the installer or the container runtime, not from a package: give the
# root the one a Debian system (and docker) has, so getaddrinfo("localhost") works.
[ -e "$F/rootfs/debian/etc/hosts" ] || printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$F/rootfs/debian/etc/hosts"
# `dpkg -x` unpacks files but runs no maintainer scripts: do what they would have done on a fresh
# Debian system, so the root looks like a Debian image's (users and groups, `python3`, `awk`).
# Additive and idempotent (files already there are left alone).
configure_debian() {
  local r="$F/rootfs/debian"
  [ -f "$r/.configured" ] && return
  for p in base-passwd python3-minimal dash; do
    dpkg-deb -x "$(ls "$D"/archives/${p}_*.deb | head -1)" "$r"
  done
  # base-passwd's postinst (update-passwd on a new system): the master files become /etc/passwd
  # and /etc/group, with shadow entries that allow no password login.
  # (Passwords are in the shadow files, so "x" in the second field, as passwd's shadowconfig makes it.)
  [ -e "$r/etc/passwd" ] || sed 's/^\([^:]*\):\*:/\1:x:/' "$r/usr/share/base-passwd/passwd.master" > "$r/etc/passwd"
  [ -e "$r/etc/group" ] || sed 's/^\([^:]*\):\*:/\1:x:/' "$r/usr/share/base-passwd/group.master" > "$r/etc/group"
  [ -e "$r/etc/shadow" ] || { cut -d: -f1 "$r/etc/passwd" | sed 's/$/:*:20000:0:99999:7:::/' > "$r/etc/shadow"; chmod 640 "$r/etc/shadow"; }
  [ -e "$r/etc/gshadow" ] || { cut -d: -f1 "$r/etc/group" | sed 's/$/:*::/' > "$r/etc/gshadow"; chmod 640 "$r/etc/gshadow"; }
  # gawk's postinst: update-alternatives --install /usr/bin/awk awk /usr/bin/gawk.
  mkdir -p "$r/etc/alternatives"
  [ -L "$r/etc/alternatives/awk" ] || [ -e "$r/etc/alternatives/awk" ] || ln -s /usr/bin/gawk "$r/etc/alternatives/awk"
  [ -L "$r/usr/bin/awk" ] || [ -e "$r/usr/bin/awk" ] || ln -s /etc/alternatives/awk "$r/usr/bin/awk"
  touch "$r/.configured"
}
configure_debian
# busybox-only root: the static binary and links for its applets.
bb=$(ls "$D"/archives/busybox-static_*.deb | head -1)
if [ ! -f "$F/rootfs/busybox/.complete" ]; then
  rm -rf "$F/rootfs/busybox.tmp"; mkdir -p "$F/rootfs/busybox.tmp"
  dpkg-deb -x "$bb" "$F/rootfs/busybox.tmp"
  r="$F/rootfs/busybox.tmp"
  mkdir -p "$r"/{bin,tmp,proc,dev,etc,root}; chmod 1777 "$r/tmp"
  [ -e "$r/bin/busybox" ] || ln -s ../usr/bin/busybox "$r/bin/busybox"
  for a in sh echo cat ls true false sleep env printf test mkdir rm cp mv ln sort head tail wc tr seq; do
    ln -sf busybox "$r/bin/$a" 2>/dev/null || true
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$r/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$r/etc/group"
  touch "$r/.complete"
  rm -rf "$F/rootfs/busybox"; mv "$r" "$F/rootfs/busybox"
fi
if [ "${1:-}" = --python-tests ]; then
  T=$F/apt-python-tests/archives
  mkdir -p "$T/partial"
  if ! ls "$T"/libpython3.13-testsuite_*.deb >/dev/null 2>&1; then
    echo "fixtures: downloading libpython3.13-testsuite into $T" >&2
    (cd "$T" && apt-get "${o[@]}" -qq download libpython3.13-testsuite >&2)   # python3.13 is in the root already
  fi
  lay_out python-tests "$D"/archives/*.deb "$T"/*.deb
  cp -n "$F/rootfs/debian/etc/hosts" "$F/rootfs/python-tests/etc/hosts"
fi
echo "$F"
