#!/bin/sh
# remote.sh - a remote rig for real: the guest runs Debian's iiod over our
# drivers and the simulated FBG board (guest/remote-iiod.sh), qemu's
# user-mode network forwards a loopback port of this host to it, and
# fbgtrack here reads the board with -u ip:127.0.0.1:PORT -d fbg0. Passes
# when the records match those read in the guest (same count, 99 % ok,
# the grating's mean within 5 standard errors of the guest's; refmon reads
# re0, csplot draws a spectrum of fbg0 and a waterfall of us0 the same way), when a missing device is
# named with what there is, and when the device vanishing mid-stream ends
# the host's read with exit 1 and a message.
#
# Usage: tests/vm/remote.sh [BUILD_DIR]   (default build; the tools in BIN)
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$top/$BUILD ;; esac
BIN=${BIN:-$BUILD/bin}
N=${CELLSENSE_REMOTE_SCANS:-1000}
res=$top/build/vm/remote-iiod.results
work=$(mktemp -d)
vm=""
cleanup() { [ -z "$vm" ] || kill "$vm" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT INT TERM

fails=0
ok() { echo "PASS $1"; }
bad() { echo "FAIL $1: $2"; fails=$((fails + 1)); }

# two free loopback ports: iiod's and the steering one
ports=$(python3 -c 'import socket
ss = [socket.socket() for _ in range(2)]
for s in ss: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))')
P=${ports% *}
S=${ports#* }
say() { # tell the guest; wait for its ACK (none for done)
	python3 -c 'import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(sys.argv[2].encode()); s.close()' "$S" "$1"
	[ "$1" = done ] && return 0
	wait_line "^ACK $1" 30
}
# wait_line REGEX SECS: until the guest reports a line, or its VM ended
wait_line() {
	i=0
	while ! { tr -d '\r' <"$res"; } 2>/dev/null | grep -q "$1"; do
		kill -0 "$vm" 2>/dev/null || { echo "remote.sh: the VM ended before '$1'" >&2; return 1; }
		i=$((i + 1))
		[ "$i" -le $(($2 * 10)) ] || { echo "remote.sh: no '$1' after $2 s" >&2; return 1; }
		sleep 0.1
	done
}

rm -f "$res"
# no_timer_check: under heavy load TCG once panicked "IO-APIC + timer
# doesn't work" at boot; the check is for real hardware
"$top/tests/vm/run.sh" --name remote-iiod --append "cellsense.scans=$N no_timer_check" \
	--hostfwd "tcp:127.0.0.1:$P-:30431" --hostfwd "tcp:127.0.0.1:$S-:5555" \
	remote-iiod.sh >"$work/vm.out" 2>&1 &
vm=$!
if ! wait_line '^IIOD-READY' 240; then
	wait "$vm" || true
	cat "$work/vm.out"
	exit 1
fi

# --- the same device from the host -----------------------------------------
uri=ip:127.0.0.1:$P
# iiod answers through the forwarded port (the first connection through
# qemu's user-mode network was once closed at once, EPIPE)
i=0
until iio_attr -u "$uri" -d fbg0 sampling_frequency >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -le 100 ] || { bad iiod-reachable "iio_attr -u $uri failed for 10 s"; break; }
	sleep 0.1
done
echo "iiod reachable from the host after $i retries"
t0=$(date +%s.%N)
rc=0
"$BIN/fbgtrack" -u "$uri" -d fbg0 -g g1:1530 --scans "$N" >"$work/remote.tsv" \
	2>"$work/remote.err" || rc=$?
t1=$(date +%s.%N)
cat "$work/remote.err"
[ "$rc" = 0 ] && ok remote-read || bad remote-read "exit $rc"
grep -q "fbg0 on $uri: 512 pixels le:u16/16>>0 in blocks of 128, tag, timestamp" \
	"$work/remote.err" && ok remote-layout-said || bad remote-layout-said "$(cat "$work/remote.err")"
tr -d '\r' <"$res" | sed -n 's/^REC //p' >"$work/local.tsv"
# count, status and each grating's mean and spread, local vs remote
if awk -v n="$N" -F'\t' '
	FNR == 1 { f++; next }
	$3 == "wavelength" { c[f]++ }
	$3 == "wavelength" && $6 == "ok" { ok[f]++; s[f] += $4; q[f] += $4 * $4 }
	END {
		for (k = 1; k <= 2; k++) {
			m[k] = s[k] / ok[k]; sd[k] = sqrt(q[k] / ok[k] - m[k] * m[k])
			printf "%s: %d records, %d ok, mean %.5f nm, sd %.2f pm\n",
				k == 1 ? "local " : "remote", c[k], ok[k], m[k], sd[k] * 1000
		}
		d = m[1] - m[2]; d = d < 0 ? -d : d
		lim = 5 * sqrt(sd[1]^2 / ok[1] + sd[2]^2 / ok[2]) + 1e-4
		printf "means differ by %.2f pm (limit %.2f pm)\n", d * 1000, lim * 1000
		# the tracker flags a rare spectrum misfit from noise alone
		# (1 in 1000 seen): 99 % ok, either side
		exit !(c[1] == n && c[2] == n && ok[1] >= 0.99 * n &&
		       ok[2] >= 0.99 * n && d <= lim)
	}' "$work/local.tsv" "$work/remote.tsv"; then
	ok remote-matches-local
else
	bad remote-matches-local "see the lines above"
fi
rate=$(tr -d '\r' <"$res" | sed -n 's/^RATE local //p')
echo "$rate" | awk -v n="$N" -v t0="$t0" -v t1="$t1" '{
	printf "records/s: local %.0f (in the guest), remote %.0f (host through iiod); device at %s spectra/s\n",
		n / ($3 - $2), n / (t1 - t0), $4 }'

# refmon too: records from the same number of scans as in the guest (the
# count may differ by the scans each end lost to the board's FIFO)
set -- $(tr -d '\r' <"$res" | sed -n 's/^RECOUNT //p')
rc=0
"$BIN/refmon" -u "$uri" -d re0 --scans "$1" >"$work/re.tsv" 2>"$work/re.err" || rc=$?
cat "$work/re.err"
n=$(grep -c '	re0/' "$work/re.tsv" || true)
[ "$rc" = 0 ] && [ "$n" -ge $(($2 * 3 / 4)) ] && ok remote-refmon ||
	bad remote-refmon "exit $rc, $n records, $2 in the guest"

# csplot draws a raw spectrum from the device (its layout and scale)
rc=0
"$BIN/csplot" --spectrum -u "$uri" -d fbg0 --scan 5 -g g1:1530 \
	-o "$work/spec.svg" 2>"$work/spec.err" || rc=$?
cat "$work/spec.err"
[ "$rc" = 0 ] && grep -q '<svg' "$work/spec.svg" &&
	grep -q "fbg0 on $uri: 512 pixels in blocks of 128, timestamp, .* scale from the board" "$work/spec.err" &&
	grep -q 'scan 5 (512 pixels, t = [1-9]' "$work/spec.err" &&
	ok remote-csplot-spectrum || bad remote-csplot-spectrum "exit $rc"

# and an ultrasonic waterfall from the board's continuous stream
rc=0
"$BIN/csplot" --waterfall -u "$uri" -d us0 --scans 20 -o "$work/wf.svg" \
	2>"$work/wf.err" || rc=$?
cat "$work/wf.err"
[ "$rc" = 0 ] && grep -q '<svg' "$work/wf.svg" && grep -q '<image' "$work/wf.svg" &&
	grep -q "us0 on $uri: 4096 samples .*625000 samples/s, mode continuous" "$work/wf.err" &&
	ok remote-csplot-waterfall || bad remote-csplot-waterfall "exit $rc"

# --- errors through the network ------------------------------------------------
rc=0
"$BIN/fbgtrack" -u "$uri" -d fbg9 -g g1:1530 >/dev/null 2>"$work/nf.err" || rc=$?
cat "$work/nf.err"
[ "$rc" = 1 ] && grep -q "no device 'fbg9' in $uri (it has: .*fbg0 \[fbg-interrogator\]" \
	"$work/nf.err" && ok remote-notfound || bad remote-notfound "exit $rc"
rc=0
"$BIN/fbgtrack" -u ip:127.0.0.1:1 -d fbg0 -g g1:1530 >/dev/null 2>"$work/un.err" || rc=$?
cat "$work/un.err"
[ "$rc" = 1 ] && grep -q "cannot reach the IIO context 'ip:127.0.0.1:1'" \
	"$work/un.err" && ok remote-unreachable || bad remote-unreachable "exit $rc"

# --- the device vanishes under iiod mid-stream --------------------------------
"$BIN/fbgtrack" -u "$uri" -d fbg0 -g g1:1530 >"$work/van.tsv" 2>"$work/van.err" &
reader=$!
i=0
while [ "$(grep -c fbg0/g1 "$work/van.tsv" || true)" -lt 20 ] && [ $i -lt 300 ]; do
	i=$((i + 1)); sleep 0.1
done
say unbind
rc=0
wait "$reader" || rc=$?
cat "$work/van.err"
[ "$rc" = 1 ] && grep -q "refilling the buffer failed after [0-9]* scans" "$work/van.err" &&
	ok remote-vanished || bad remote-vanished "exit $rc"
say bind

say done
rc=0
wait "$vm" || rc=$?
vm=""
cat "$work/vm.out"
[ "$rc" = 0 ] && ok guest || bad guest "tests/vm/run.sh exit $rc (build/vm/remote-iiod.log)"
echo "remote.sh: $fails failed"
[ "$fails" = 0 ]
