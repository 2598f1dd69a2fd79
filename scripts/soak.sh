#!/bin/sh
# make soak: tests/vm/guest/soak.sh in the VM for SOAK_MINUTES (default 5):
# the three front-ends through the whole pipeline to vcan0 under injected
# faults, then the figures (memory, descriptors, timing, gaps) as a table.
# Not part of make check: it takes minutes.
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
min=${SOAK_MINUTES:-5}
case $min in
'' | *[!0-9.]* | *.*.*)
	echo "soak: SOAK_MINUTES must be a number of minutes, not '$min'" >&2
	exit 2 ;;
esac
secs=$(awk -v m="$min" 'BEGIN { printf "%d", m * 60 }')
if [ "$secs" -lt 30 ]; then
	echo "soak: SOAK_MINUTES=$min is under half a minute: too short to compare quarters" >&2
	exit 2
fi
# the faults take their own time and the checks at the end some more
lim=$((secs * 2 + 240))
rc=0
"$SRC/tests/vm/run.sh" --timeout $((lim + 120)) \
	--append "cellsense.soak_minutes=$min cellsense.script_timeout=$lim" \
	soak.sh || rc=$?
echo
tr -d '\r' <"$SRC/build/vm/soak.results" | sed -n 's/^SOAK //p'
exit "$rc"
