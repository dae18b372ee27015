#!/usr/bin/env bash
# deb.sh: pcpctl's Debian package and release files, built with Debian's own
# tools (dpkg-deb, gzip, sha256sum; no debhelper, no source package).
#
#   scripts/deb.sh version   print the version the other commands use
#   scripts/deb.sh deb       dist/pcpctl_<version>_amd64.deb
#   scripts/deb.sh release   the .deb, dist/pcpctl-<version>-linux-amd64.tar.gz
#                            and dist/SHA256SUMS (sha256sum -c format)
#
# Version rule (a valid Debian version, no revision: this is a native
# package, and increasing along the history of one branch):
#   HEAD at tag vX.Y.Z            X.Y.Z
#   N commits after vX.Y.Z        X.Y.Z+git<YYYYMMDD>.<N>.<sha7>
#   no v<digit> tag at all        0.0~git<YYYYMMDD>.<N>.<sha7>   (N: commits in HEAD)
#   uncommitted changes           the above plus "+dirty"
# <YYYYMMDD> is HEAD's commit date in UTC; '~' sorts before anything, so the
# first tagged release (0.1, 1.0, ...) upgrades every untagged build. Hyphens
# in a tag become '~' (v1.0-rc1 -> 1.0~rc1, before 1.0). PCPCTL_VERSION
# overrides the rule (it must still be a valid Debian version).
#
# The pcp_* names come from the binary ("pcpctl version --tools", i.e.
# compat.Names()): each gets a /usr/sbin symlink and a dpkg diversion of the
# stock tool, and a name compat learns is packaged with no edit here.
#
# Environment: GO (go binary), DEB_MAINTAINER ("Name <address>"),
# PCPCTL_VERSION, SOURCE_DATE_EPOCH (default: HEAD's commit time).
set -euo pipefail
umask 022
cd "$(dirname "$0")/.."
ROOT=$PWD

GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
DIST=$ROOT/dist
PKGDIR=$ROOT/packaging/deb
MODULE=github.com/pcpctl/pcpctl
HOMEPAGE=https://$MODULE
MAINTAINER=${DEB_MAINTAINER:-pcpctl maintainers <maintainers@pcpctl.org>}
ARCH=amd64

die() { printf 'deb.sh: error: %s\n' "$*" >&2; exit 1; }
log() { printf 'deb.sh: %s\n' "$*" >&2; }

for t in dpkg-deb dpkg gzip sha256sum md5sum tar git; do
  command -v "$t" >/dev/null || die "$t not found (Debian: apt-get install dpkg git)"
done

version() {
  local v
  if [[ -n ${PCPCTL_VERSION:-} ]]; then
    v=$PCPCTL_VERSION
  else
    git rev-parse --verify -q HEAD >/dev/null || die "not a git checkout with a commit: set PCPCTL_VERSION"
    local sha date n desc tag
    sha=$(git rev-parse --short=7 HEAD)
    date=$(TZ=UTC git show -s --format=%cd --date=format-local:%Y%m%d HEAD)
    if desc=$(git describe --tags --long --match '[vV][0-9]*' HEAD 2>/dev/null); then
      # <tag>-<N>-g<sha>; the tag itself may contain hyphens.
      n=${desc%-g*}; n=${n##*-}
      tag=${desc%-*-g*}; tag=${tag#[vV]}
      tag=$(printf '%s' "$tag" | tr -- '-' '~' | tr -c 'A-Za-z0-9.+~' '.')
      if [[ $n == 0 ]]; then v=$tag; else v=$tag+git$date.$n.$sha; fi
    else
      n=$(git rev-list --count HEAD)
      v=0.0~git$date.$n.$sha
    fi
    if [[ -n $(git status --porcelain --untracked-files=no 2>/dev/null) ]]; then
      v=$v+dirty
    fi
  fi
  [[ $v != *-* ]] || die "version '$v' has a hyphen (a native package has no Debian revision)"
  dpkg --validate-version "$v" 2>/dev/null || die "version '$v' is not a valid Debian version"
  printf '%s\n' "$v"
}

VERSION=$(version)
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct HEAD 2>/dev/null || date +%s)}
BUILD=$DIST/.build
DEB=$DIST/pcpctl_${VERSION}_$ARCH.deb
TARNAME=pcpctl-$VERSION-linux-$ARCH
TARBALL=$DIST/$TARNAME.tar.gz

build_binary() {
  rm -rf "$BUILD"
  mkdir -p "$BUILD"
  log "building pcpctl $VERSION (static, linux/$ARCH)"
  CGO_ENABLED=0 GOOS=linux GOARCH=$ARCH "$GO" build -trimpath \
    -ldflags "-s -w -X $MODULE/cmd/version.Version=$VERSION" -o "$BUILD/pcpctl" ./cmd/pcpctl
  # The build host runs the amd64 binary to ask it which names it serves.
  "$BUILD/pcpctl" version --tools >"$BUILD/tools" || die "pcpctl version --tools failed"
  grep -qvE '^pcp_[a-z_]+$' "$BUILD/tools" && die "unexpected tool name in: $(tr '\n' ' ' <"$BUILD/tools")"
  [[ -s $BUILD/tools ]] || die "pcpctl lists no pcp_* tools"
  mapfile -t TOOLS <"$BUILD/tools"
  local t
  for t in "${TOOLS[@]}"; do
    [[ -f man/$t.1 ]] || die "man/$t.1 missing: run go run ./cmd/gendocs"
  done
}

# copyright writes the machine-readable copyright file from LICENSE, so the
# license text has one source.
copyright() {
  cat <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: pcpctl
Source: $HOMEPAGE

Files: *
Copyright: $(sed -n 's/^Copyright (c) //p' LICENSE)
License: Expat

License: Expat
EOF
  # Everything after the copyright line, as a DEP-5 continuation block.
  sed '1,/^Copyright (c)/d' LICENSE | sed '/./,$!d' | sed -e 's/^$/./' -e 's/^/ /'
}

changelog() {
  cat <<EOF
pcpctl ($VERSION) unstable; urgency=medium

  * Built from git commit $(git rev-parse HEAD 2>/dev/null || echo unknown).

 -- $MAINTAINER  $(date -u -R -d "@$SOURCE_DATE_EPOCH")
EOF
}

# script expands a maintainer script template: one dpkg-divert line per
# diverted path, written out (not a loop) so that lintian can pair every
# --add in preinst with its --remove in postrm.
script() {
  local in=$1 add="" rm="" t p
  for t in "${TOOLS[@]}"; do
    for p in "/usr/sbin/$t" "/usr/share/man/man1/$t.1.gz"; do
      local d
      if [[ $p == *.1.gz ]]; then d=${p%.1.gz}.distrib.1.gz; else d=$p.distrib; fi
      add+="        dpkg-divert --package pcpctl --add --rename --divert $d $p"$'\n'
      rm+="        dpkg-divert --package pcpctl --remove --rename --divert $d $p"$'\n'
    done
  done
  awk -v add="${add%$'\n'}" -v rm="${rm%$'\n'}" \
    '$0=="@DIVERT_ADD@"{print add; next} $0=="@DIVERT_REMOVE@"{print rm; next} {print}' "$in"
}

build_deb() {
  local stage=$BUILD/deb t f
  rm -rf "$stage"
  install -d "$stage/DEBIAN" "$stage/usr/bin" "$stage/usr/sbin" "$stage/usr/share/man/man1" \
    "$stage/usr/share/doc/pcpctl" "$stage/usr/share/bash-completion/completions" \
    "$stage/usr/share/zsh/vendor-completions" "$stage/usr/share/fish/vendor_completions.d"
  install -m 0755 "$BUILD/pcpctl" "$stage/usr/bin/pcpctl"
  for t in "${TOOLS[@]}"; do
    ln -s ../bin/pcpctl "$stage/usr/sbin/$t"
  done
  for f in man/*.1; do
    gzip -9n <"$f" >"$stage/usr/share/man/man1/${f##*/}.gz"
  done
  install -m 0644 completions/pcpctl.bash "$stage/usr/share/bash-completion/completions/pcpctl"
  install -m 0644 completions/_pcpctl "$stage/usr/share/zsh/vendor-completions/_pcpctl"
  install -m 0644 completions/pcpctl.fish "$stage/usr/share/fish/vendor_completions.d/pcpctl.fish"
  copyright >"$stage/usr/share/doc/pcpctl/copyright"
  changelog | gzip -9n >"$stage/usr/share/doc/pcpctl/changelog.gz"
  if [[ -s $PKGDIR/lintian-overrides ]]; then
    install -d "$stage/usr/share/lintian/overrides"
    install -m 0644 "$PKGDIR/lintian-overrides" "$stage/usr/share/lintian/overrides/pcpctl"
  fi

  local size
  # As dpkg-gencontrol counts it: KiB per file rounded up, 1 per other entry.
  size=$(cd "$stage" && find usr \( -type f -printf '%s\n' \) -o -printf '0\n' |
    awk '{ s += ($1 > 0 ? int(($1 + 1023) / 1024) : 1) } END { print s }')
  sed -e "s|@VERSION@|$VERSION|" -e "s|@MAINTAINER@|$MAINTAINER|" \
    -e "s|@INSTALLED_SIZE@|$size|" -e "s|@HOMEPAGE@|$HOMEPAGE|" \
    "$PKGDIR/control.in" >"$stage/DEBIAN/control"
  script "$PKGDIR/preinst.in" >"$stage/DEBIAN/preinst"
  script "$PKGDIR/postinst.in" >"$stage/DEBIAN/postinst"
  script "$PKGDIR/postrm.in" >"$stage/DEBIAN/postrm"
  chmod 0755 "$stage/DEBIAN/preinst" "$stage/DEBIAN/postinst" "$stage/DEBIAN/postrm"
  (cd "$stage" && find usr -type f -print0 | LC_ALL=C sort -z | xargs -0 md5sum) >"$stage/DEBIAN/md5sums"
  # Fixed times, so that building the same commit twice gives the same bytes.
  find "$stage" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

  rm -f "$DIST"/pcpctl_*_"$ARCH".deb
  dpkg-deb --root-owner-group -Zxz --build "$stage" "$DEB" >/dev/null
  log "wrote ${DEB#$ROOT/} ($(stat -c %s "$DEB") bytes, ${#TOOLS[@]} pcp_* names diverted)"
}

build_tarball() {
  local stage=$BUILD/tar top t
  top=$stage/$TARNAME
  rm -rf "$stage"
  install -d "$top/bin" "$top/man/man1" "$top/completions"
  install -m 0755 "$BUILD/pcpctl" "$top/bin/pcpctl"
  for t in "${TOOLS[@]}"; do
    ln -s pcpctl "$top/bin/$t"
  done
  install -m 0644 man/*.1 "$top/man/man1/"
  install -m 0644 completions/pcpctl.bash completions/_pcpctl completions/pcpctl.fish "$top/completions/"
  install -m 0644 LICENSE README.md "$top/"
  rm -f "$DIST"/pcpctl-*-linux-"$ARCH".tar.gz
  tar --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner \
    -C "$stage" -cf - "$TARNAME" | gzip -9n >"$TARBALL"
  log "wrote ${TARBALL#$ROOT/} ($(stat -c %s "$TARBALL") bytes)"
}

case ${1:-} in
  version)
    echo "$VERSION"
    ;;
  deb)
    mkdir -p "$DIST"
    build_binary
    build_deb
    ;;
  release)
    mkdir -p "$DIST"
    build_binary
    build_deb
    build_tarball
    (cd "$DIST" && sha256sum "${TARBALL##*/}" "${DEB##*/}" >SHA256SUMS)
    log "wrote dist/SHA256SUMS"
    (cd "$DIST" && sha256sum -c --quiet SHA256SUMS)
    ;;
  *)
    sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
