#!/bin/sh
# modules.sh - every out-of-tree module in kernel/*.ko loads (with its
# dependencies, sim bus and boards first), shows up in /proc/modules, and unloads cleanly
# in reverse order; then the same again (no state left behind).
set -e
. /tests/lib.sh

mods=$(cat /etc/cellsense/own-modules 2>/dev/null || true)
if [ -z "$mods" ]; then
	skip modules "no kernel/*.ko in the initramfs"
	pass modules-none
	exit 0
fi

for round in 1 2; do
	load_cellsense
	loaded=""
	for m in $(cellsense_module_order "$mods"); do
		mm=$(echo "$m" | tr - _)
		check "loaded-$m-$round" grep -q "^$mm " /proc/modules
		loaded="$mm $loaded"
	done
	for mm in $loaded; do
		# the drivers first (reverse load order), then the boards, the bus
		check "rmmod-$mm-$round" rmmod "$mm"
	done
done
