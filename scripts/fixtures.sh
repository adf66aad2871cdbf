#!/usr/bin/env bash
# Downloads Debian riscv64 packages (with their dependency closure) into a cache and lays out
# root filesystems used by the tests, the demo and the benchmarks. Idempotent: a second run only
# re-creates what is missing.
#
#   scripts/fixtures.sh            -> prints the fixture directory on its last line
#   scripts/fixtures.sh --python-tests   also lays out rootfs/python-tests (for bench/waiting.sh)
#   scripts/fixtures.sh --devel     also lays out rootfs/devel (tests/differential/test_devel.py)
#   scripts/fixtures.sh --runtimes  also lays out rootfs/runtimes (SKIFF_HEAVY=1 test_runtimes.py, bench/heavy.sh)
#   scripts/fixtures.sh --amd64     also lays out rootfs/debian-amd64 (tests/differential/test_amd64.py)
#
# Environment: SKIFF_FIXTURES (default ~/.cache/skiff-fixtures).
# Layout:
#   $SKIFF_FIXTURES/apt/            private apt state and downloaded .debs
#   $SKIFF_FIXTURES/rootfs/debian   Debian-shaped riscv64 root: busybox-static bash python3 lua sqlite3 gawk perl coreutils
#   $SKIFF_FIXTURES/rootfs/busybox  a minimal root with only busybox-static and its applet links
#   $SKIFF_FIXTURES/rootfs/python-tests  (--python-tests) the Debian root plus CPython's own test
#                                   package (libpython3.13-testsuite, downloaded into apt-python-tests/)
#   $SKIFF_FIXTURES/rootfs/devel    (--devel) the Debian root plus compilers, build tools and servers
#                                   ($DEVEL_PACKAGES, ~150 MB downloaded into apt-devel/, ~20 s)
#   $SKIFF_FIXTURES/rootfs/runtimes (--runtimes) the Debian root plus the JIT runtimes
#                                   ($RUNTIME_PACKAGES, ~250 MB downloaded into apt-runtimes/)
#   $SKIFF_FIXTURES/rootfs/debian-amd64 (--amd64) the same packages as rootfs/debian for amd64
#                                   (~38 MB downloaded into apt-amd64/, ~10 s), configured the same way
set -euo pipefail
F=${SKIFF_FIXTURES:-$HOME/.cache/skiff-fixtures}
D=$F/apt
PACKAGES="busybox-static bash python3.13 lua5.4 sqlite3 gawk perl-base perl coreutils findutils grep sed gzip diffutils libc-bin base-passwd python3-minimal dash"
# Heavy software for the compatibility cases (issue 9): compilers, build tools, servers ...
DEVEL_PACKAGES="gcc libc6-dev make git musl-tools tcl luajit redis-server redis-tools nginx curl postgresql ruby php-cli"
# ... and the runtimes with their own JITs, which are slow under emulation (opt-in).
RUNTIME_PACKAGES="nodejs golang-go openjdk-21-jdk-headless erlang-base"
mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
if [ -z "$mirror" ]; then
  mirror=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list)
fi
# private_apt ARCH DIR: an apt state of its own in DIR for Debian trixie's ARCH packages (the
# system's apt configuration is only read for its mirror); sets APT to the options that use it.
private_apt() {
  local arch=$1 dir=$2
  mkdir -p "$dir/lists/partial" "$dir/archives/partial"
  [ -f "$dir/status" ] || : > "$dir/status"
  printf 'Types: deb\nURIs: %s\nSuites: trixie\nComponents: main\nArchitectures: %s\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$mirror" "$arch" > "$dir/$arch.sources"
  APT=(-oAPT::Architecture="$arch" -oAPT::Architectures="$arch" -oDir::State::Lists="$dir/lists"
       -oDir::Etc::SourceList="$dir/$arch.sources" -oDir::Etc::SourceParts=/dev/null
       -oDir::State::status="$dir/status" -oDir::Cache::Archives="$dir/archives" -oDebug::NoLocking=1
       -oAPT::Sandbox::User=root -oAcquire::Retries=3)
}
# download_base STAMP ARCH DIR: $PACKAGES with their dependency closure into DIR/archives, once
# (with APT set by private_apt).
download_base() {
  local stamp=$1 arch=$2 dir=$3
  [ -f "$stamp" ] && return
  echo "fixtures: downloading Debian trixie $arch packages into $dir" >&2
  apt-get "${APT[@]}" -qq update >&2
  apt-get "${APT[@]}" -qq install -y --download-only --no-install-recommends $PACKAGES >&2
  touch "$stamp"
}
private_apt riscv64 "$D"
o=("${APT[@]}")
download_base "$F/.downloaded-$(echo "$PACKAGES" | md5sum | cut -c1-8)" riscv64 "$D"

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
configure_debian() { # root, archives directory
  local r=$1 archives=$2
  [ -f "$r/.configured" ] && return
  for p in base-passwd python3-minimal dash; do
    dpkg-deb -x "$(ls "$archives"/${p}_*.deb | head -1)" "$r"
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
configure_debian "$F/rootfs/debian" "$D/archives"
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
# Extra roots, laid out only when asked for.
want() { local a; for a in "${ARGS[@]}"; do [ "$a" = "$1" ] && return 0; done; return 1; }
ARGS=("$@")
if want --python-tests; then
  T=$F/apt-python-tests/archives
  mkdir -p "$T/partial"
  if ! ls "$T"/libpython3.13-testsuite_*.deb >/dev/null 2>&1; then
    echo "fixtures: downloading libpython3.13-testsuite into $T" >&2
    (cd "$T" && apt-get "${o[@]}" -qq download libpython3.13-testsuite >&2)   # python3.13 is in the root already
  fi
  lay_out python-tests "$D"/archives/*.deb "$T"/*.deb
  cp -n "$F/rootfs/debian/etc/hosts" "$F/rootfs/python-tests/etc/hosts"
fi
# download_extra DIR PACKAGES: the packages with their dependency closure into DIR/archives
# (apart from the base root's archives, whose every .deb goes into rootfs/debian).
download_extra() {
  local dir=$1; shift
  local stamp="$dir/.downloaded-$(echo "$*" | md5sum | cut -c1-8)"
  [ -f "$stamp" ] && return
  echo "fixtures: downloading $* (riscv64, with dependencies) into $dir" >&2
  mkdir -p "$dir/archives/partial"
  apt-get "${o[@]}" -qq update >&2
  apt-get "${o[@]}" -oDir::Cache::Archives="$dir/archives" -qq install -y --download-only --no-install-recommends "$@" >&2
  touch "$stamp"
}
# configure_extra ROOT: what the maintainer scripts of the extra packages would have done.
configure_extra() {
  local r=$1
  [ -f "$r/.configured" ] && return
  cp -n "$F/rootfs/debian/etc/"{passwd,group,shadow,gshadow,hosts} "$r/etc/"
  mkdir -p "$r/etc/alternatives"
  alt() { # link name target: update-alternatives --install /usr/bin/NAME NAME TARGET
    [ -e "$r$2" ] || return 0
    [ -L "$r/etc/alternatives/$1" ] || ln -s "$2" "$r/etc/alternatives/$1"
    [ -L "$r/usr/bin/$1" ] || [ -e "$r/usr/bin/$1" ] || ln -s "/etc/alternatives/$1" "$r/usr/bin/$1"
  }
  alt awk /usr/bin/gawk; alt cc /usr/bin/gcc; alt c89 /usr/bin/c89-gcc; alt c99 /usr/bin/c99-gcc
  alt php /usr/bin/php.default
  alt java /usr/lib/jvm/java-21-openjdk-riscv64/bin/java; alt javac /usr/lib/jvm/java-21-openjdk-riscv64/bin/javac
  # adduser --system in the postinsts of redis-server and postgresql-common (nginx runs as
  # www-data, which base-passwd has).
  adduser() { # name uid gid home
    grep -q "^$1:" "$r/etc/passwd" || echo "$1:x:$2:$3::$4:/usr/sbin/nologin" >> "$r/etc/passwd"
    grep -q "^$1:" "$r/etc/group" || echo "$1:x:$3:" >> "$r/etc/group"
    grep -q "^$1:" "$r/etc/shadow" || echo "$1:*:20000:0:99999:7:::" >> "$r/etc/shadow"
    grep -q "^$1:" "$r/etc/gshadow" || echo "$1:*::" >> "$r/etc/gshadow"
    mkdir -p "$r$4"
  }
  adduser redis 100 101 /var/lib/redis
  adduser postgres 101 102 /var/lib/postgresql
  mkdir -p "$r/var/log/nginx" "$r/var/lib/nginx" "$r/run/postgresql"
  touch "$r/.configured"
}
extra_root() { # name packages...
  local name=$1; shift
  download_extra "$F/apt-$name" "$@"
  lay_out "$name" "$D"/archives/*.deb "$F/apt-$name"/archives/*.deb
  configure_extra "$F/rootfs/$name"
}
want --devel && extra_root devel $DEVEL_PACKAGES
# The amd64 root (issue 12): the same recipe with its own private apt state, for amd64.
if want --amd64; then
  A=$F/apt-amd64
  private_apt amd64 "$A"
  download_base "$A/.downloaded-$(echo "$PACKAGES" | md5sum | cut -c1-8)" amd64 "$A"
  lay_out debian-amd64 "$A"/archives/*.deb
  [ -e "$F/rootfs/debian-amd64/etc/hosts" ] || cp "$F/rootfs/debian/etc/hosts" "$F/rootfs/debian-amd64/etc/hosts"
  configure_debian "$F/rootfs/debian-amd64" "$A/archives"
fi
want --runtimes && extra_root runtimes $RUNTIME_PACKAGES
echo "$F"
