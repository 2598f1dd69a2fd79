#!/bin/sh
# vm-kernel.sh - print the directory of the kernel the VM tests boot.
#
# CELLSENSE_VM_KERNEL=debian (default): Debian's kernel, scripts/fetch-kernel.sh
# CELLSENSE_VM_KERNEL=debug: the debug kernel (KASAN, lockdep, kmemleak),
#                            scripts/build-debug-kernel.sh (built on first use)
# Either way the directory's basename is the kernel release and it holds
# boot/vmlinuz-<REL>, boot/config-<REL> and lib/modules/<REL>/.
set -eu
here=$(dirname "$0")
case "${CELLSENSE_VM_KERNEL:-debian}" in
debian) exec "$here/fetch-kernel.sh" ;;
debug) exec "$here/build-debug-kernel.sh" ;;
*) echo "vm-kernel.sh: CELLSENSE_VM_KERNEL='$CELLSENSE_VM_KERNEL': use debian or debug" >&2
   exit 1 ;;
esac
