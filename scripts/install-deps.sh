#!/bin/sh
# Install the Debian 12 packages cellsense needs to build, test and demo,
# but only those that are missing. Safe to run again: a no-op when all are there.
#   --debug-kernel   also what building the VM tests' debug kernel from
#                    linux-source-6.1 needs (make check-debug)
set -eu

PKGS="build-essential pkg-config
libiio-dev libiio-utils iiod libjson-c-dev libssl-dev jq libcmocka-dev libliquid-dev libgpiod-dev gpiod
libsocketcan-dev can-utils
linux-headers-amd64 kmod sparse device-tree-compiler dt-schema
qemu-system-x86 busybox-static cpio gzip linux-source-6.1
gnuplot-nox python3 python3-numpy python3-scipy clang libclang-rt-14-dev valgrind
dkms systemd man-db
mosquitto mosquitto-clients libmosquitto-dev postgresql libpq-dev openssl time"
if [ "${1:-}" = --debug-kernel ]; then
	# (linux-source-6.1 is in the list above: checkpatch comes from it)
	PKGS="$PKGS bc bison flex libelf-dev libssl-dev xz-utils"
fi

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >&2
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing >&2
