#!/usr/bin/env bash
# Wrap the Linux bundle (packaging/build-linux.sh) into a .deb with dpkg-deb:
#
#   packaging/build-deb.sh [BUNDLE_DIR] [OUT_DIR]      # defaults: dist/imr-desktop, dist
#
# Layout: the bundle in /opt/imr-desktop, /usr/bin/imr-desktop pointing at it, and the
# desktop entry, AppStream metadata and icons where desktops look for them. The
# Depends line names what the bundle takes from the system (glibc, the GL/EGL stack,
# libxcb and Wayland's client libraries); everything else is inside the bundle.
# DEB_COMPRESS (xz, the default, or gzip/zstd/none) and DEB_LEVEL pick dpkg-deb's
# compression; the test uses fast gzip.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUNDLE=$(realpath "${1:-dist/imr-desktop}")
OUT=$(realpath "${2:-dist}")
ID=$(python3 -c 'import re;print(re.search(r"DESKTOP_ID = \"(.+)\"", open("imr_desktop/__init__.py").read())[1])')
VERSION=$(python3 -c 'import re;print(re.search(r"__version__ = \"(.+)\"", open("imr_desktop/__init__.py").read())[1])')
ARCH=$(dpkg --print-architecture)
[ -x "$BUNDLE/imr-desktop" ] || { echo "no bundle at $BUNDLE: run packaging/build-linux.sh" >&2; exit 2; }

STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
PKG=$STAGE/imr-desktop
mkdir -p "$PKG/DEBIAN" "$PKG/opt" "$PKG/usr/bin" "$PKG/usr/share/applications" \
  "$PKG/usr/share/metainfo" "$PKG/usr/share/doc/imr-desktop"
cp -a "$BUNDLE" "$PKG/opt/imr-desktop"
ln -s /opt/imr-desktop/imr-desktop "$PKG/usr/bin/imr-desktop"
cp resources/linux/$ID.desktop "$PKG/usr/share/applications/"
cp resources/linux/$ID.metainfo.xml "$PKG/usr/share/metainfo/"
cp -a resources/icons "$PKG/usr/share/icons"
cp resources/THIRD-PARTY-NOTICES.md "$PKG/usr/share/doc/imr-desktop/"
{
  echo "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"
  echo "Upstream-Name: IMR Desktop"
  echo
  echo "Files: *"
  echo "License: AGPL-3.0-or-later"
  echo " The full license text is in /opt/imr-desktop/_internal/resources/LICENSE;"
  echo " the program's source is in /opt/imr-desktop/_internal/source/. Bundled"
  echo " components and their licenses: /usr/share/doc/imr-desktop/THIRD-PARTY-NOTICES.md"
} > "$PKG/usr/share/doc/imr-desktop/copyright"
find "$PKG" -type d -exec chmod 0755 {} +

cat > "$PKG/DEBIAN/control" <<CONTROL
Package: imr-desktop
Version: $VERSION
Architecture: $ARCH
Maintainer: IMR Desktop developers <imr-desktop@localhost>
Installed-Size: $(du -sk "$PKG" --exclude=DEBIAN | cut -f1)
Depends: libc6 (>= 2.36), libegl1, libgl1, libxcb1, libwayland-client0, libwayland-cursor0, libwayland-egl1
Recommends: fonts-dejavu-core
Section: text
Priority: optional
Description: read and annotate workers' compensation IMR determination letters
 IMR Desktop reads and annotates California workers' compensation Independent
 Medical Review (IMR) Final Determination letters, offline. It shows each case's
 items, outcomes and cited guidelines, lets teams tag passages with labels from the
 keyboard, and exports training data and annotated case packets.
CONTROL

# desktops refresh their menus and icon caches themselves when these folders change;
# the triggers of desktop-file-utils and hicolor-icon-theme do it on Debian
mkdir -p "$OUT"
DEB=$OUT/imr-desktop_${VERSION}_${ARCH}.deb
dpkg-deb --root-owner-group -Z"${DEB_COMPRESS:-xz}" -z"${DEB_LEVEL:-6}" --build "$PKG" "$DEB" >/dev/null
echo "$DEB ($(du -h "$DEB" | cut -f1))"
