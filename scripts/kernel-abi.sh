#!/bin/sh
# Print the kernel ABI (e.g. 6.1.0-56-amd64) that Debian's linux-headers-amd64
# points at: the headers we build against and the image the VM boots.
set -eu
dep=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 2>/dev/null) || {
	echo "kernel-abi: linux-headers-amd64 is not installed (run scripts/install-deps.sh)" >&2
	exit 1
}
echo "$dep" | tr ',' '\n' | sed -n 's/^ *linux-headers-\([0-9][^ ]*-amd64\).*/\1/p' | head -n1
