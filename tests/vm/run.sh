#!/bin/sh
# run.sh - boot Debian's kernel in qemu with the test initramfs, run guest test
# scripts, and turn what they report into pass/fail.
#
# Usage: tests/vm/run.sh [options] GUEST_SCRIPT...
#   GUEST_SCRIPT   a script in tests/vm/guest/ (name or path), e.g. smoke.sh
#   --initrd FILE  use this initramfs instead of building one
#   --timeout SECS hard limit for the whole VM run (default 300,
#                  or $CELLSENSE_VM_TIMEOUT)
#   --boot-timeout SECS
#                  a guest not at /init after this long (default 60, or
#                  $CELLSENSE_VM_BOOT_TIMEOUT; it takes ~3 s) hung in the
#                  kernel's own boot, before any code of ours ran (seen
#                  once in ~100 boots under TCG): it is killed and booted
#                  again, once, with a note; a second hang fails the run
#   --name NAME    log name: build/vm/NAME.log (default: first script's name)
#   --append ARGS  extra kernel command line, e.g. "cellsense.rate=1000"
#   --hostfwd SPEC a NIC on qemu's user-mode network (restrict=on: the
#                  guest reaches nothing outside) forwarding a host port to
#                  the guest, e.g. tcp:127.0.0.1:30500-:30431; repeat for
#                  more; the guest configures it with net_up (lib.sh)
#   -v             show the console while the VM runs
#   --shell        interactive: console on this terminal, a shell after the
#                  scripts instead of poweroff (Ctrl-A X quits qemu); no verdict
#
# Exit status 0 only if: the guest printed its end marker (VMTEST-END), every
# script ran and exited 0, passed at least one check and printed no FAIL, and
# the kernel log has no BUG:/WARNING:/Oops/Call Trace/panic.
#
# On the debug kernel (CELLSENSE_VM_KERNEL=debug, see scripts/vm-kernel.sh)
# also lockdep reports and kmemleak's (scanned at the end by /init) fail it.
#
# Environment: CELLSENSE_VM_ACCEL (default tcg; "kvm" where it works),
# CELLSENSE_VM_MEM (default 1024), CELLSENSE_VM_SMP (default 2),
# CELLSENSE_VM_KERNEL_ALLOW (extended regex of kernel log lines to ignore).
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
vmdir="$top/tests/vm"
out_dir="$top/build/vm"

usage() { sed -n '2,/^set -eu/{/^#/s/^# \{0,1\}//p}' "$0" >&2; exit 2; }
die() { echo "run.sh: $*" >&2; exit 2; }

initrd=""
tmo="${CELLSENSE_VM_TIMEOUT:-300}"
boot_tmo="${CELLSENSE_VM_BOOT_TIMEOUT:-60}"
name=""
append=""
hostfwd=""
verbose=0
shell=0
while [ $# -gt 0 ]; do
	case "$1" in
	--initrd) initrd=$2; shift 2 ;;
	--timeout) tmo=$2; shift 2 ;;
	--boot-timeout) boot_tmo=$2; shift 2 ;;
	--name) name=$2; shift 2 ;;
	--append) append="$append $2"; shift 2 ;;
	--hostfwd) hostfwd="$hostfwd,hostfwd=$2"; shift 2 ;;
	-v) verbose=1; shift ;;
	--shell) shell=1; shift ;;
	-h|--help) usage ;;
	--) shift; break ;;
	-*) die "unknown option $1" ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || usage

scripts=""
for s in "$@"; do
	b=$(basename "$s")
	[ -f "$vmdir/guest/$b" ] || die "no guest script tests/vm/guest/$b"
	scripts="$scripts $b"
done
scripts=${scripts# }
[ -n "$name" ] || name=$(basename "${scripts%% *}" .sh)

command -v qemu-system-x86_64 >/dev/null 2>&1 ||
	die "missing qemu-system-x86_64: install package 'qemu-system-x86'"

kdir=$("$top/scripts/vm-kernel.sh")
abi=$(basename "$kdir")
mkdir -p "$out_dir"

t0=$(date +%s.%N)
if [ -z "$initrd" ]; then
	initrd=$("$vmdir/mkinitramfs.sh")
fi
[ -s "$initrd" ] || die "no initramfs '$initrd'"
t1=$(date +%s.%N)

log="$out_dir/$name.log"
res="$out_dir/$name.results"
rm -f "$log" "$res" "$log.hung"
: >"$log"
: >"$res"

tests_arg=$(echo "$scripts" | tr ' ' ',')
# no NIC unless asked: the guest is offline, as the tests assume
net_args=""
if [ -n "$hostfwd" ]; then
	net_args="-netdev user,id=net0,restrict=on$hostfwd -device e1000,netdev=net0"
	append="$append cellsense.net=1"
fi
cmdline="console=ttyS0 panic=-1 loglevel=5 cellsense.tests=$tests_arg$append"

if [ "$shell" = 1 ]; then
	exec qemu-system-x86_64 -accel "${CELLSENSE_VM_ACCEL:-tcg}" \
		-m "${CELLSENSE_VM_MEM:-1024}" -smp "${CELLSENSE_VM_SMP:-2}" \
		-nodefaults -display none -no-reboot \
		-kernel "$kdir/boot/vmlinuz-$abi" -initrd "$initrd" \
		-append "$cmdline cellsense.shell=1" $net_args \
		-serial mon:stdio -serial "file:$res"
fi

tailpid=""
if [ "$verbose" = 1 ]; then
	tail -f "$log" &
	tailpid=$!
fi

attempt=1
boot_hung=0
rebooted=0
while :; do
	timeout -k 5 "$tmo" qemu-system-x86_64 \
		-accel "${CELLSENSE_VM_ACCEL:-tcg}" \
		-m "${CELLSENSE_VM_MEM:-1024}" -smp "${CELLSENSE_VM_SMP:-2}" \
		-nodefaults -display none -no-reboot \
		-kernel "$kdir/boot/vmlinuz-$abi" -initrd "$initrd" \
		-append "$cmdline" $net_args \
		-serial "file:$log" -serial "file:$res" \
		-monitor none </dev/null &
	qpid=$!
	trap 'kill "$qpid" 2>/dev/null; [ -z "$tailpid" ] || kill "$tailpid" 2>/dev/null; exit 130' INT TERM HUP

	# Watch the run: stop a guest that has not reached /init by the boot
	# deadline; note when the guest reports its end; if qemu has not
	# exited 10 s after that (seen once: qemu lingered ~4 min after
	# "reboot: Power down"), stop it - the verdict then rests on what the
	# guest reported.
	end_seen=""
	lingered=0
	boot_hung=0
	i=0
	while kill -0 "$qpid" 2>/dev/null; do
		if [ $((i % 5)) = 0 ] && [ "$i" -ge $((boot_tmo * 5)) ] &&
		   ! grep -q '^VMTEST-BOOT' "$res" 2>/dev/null; then
			boot_hung=1
			kill "$qpid" 2>/dev/null || true
			break
		fi
		if [ -z "$end_seen" ] && grep -q '^VMTEST-END' "$res" 2>/dev/null; then
			end_seen=$i
		fi
		if [ -n "$end_seen" ] && [ $((i - end_seen)) -ge 50 ]; then
			lingered=1
			kill "$qpid" 2>/dev/null || true
			break
		fi
		sleep 0.2
		i=$((i + 1))
	done
	qrc=0
	wait "$qpid" || qrc=$?
	[ "$lingered" = 0 ] || qrc=0
	[ "$boot_hung" = 1 ] || break
	qrc=0	# killed by us; the verdict says why
	[ "$attempt" = 1 ] || break
	mv "$log" "$log.hung"
	: >"$log"
	: >"$res"
	attempt=2
	rebooted=1
done
trap - INT TERM HUP
t2=$(date +%s.%N)
[ -z "$tailpid" ] || kill "$tailpid" 2>/dev/null || true

# The logs, without CRs; empty if gone (e.g. a concurrent `make clean`).
rd() { { tr -d '\r' <"$1"; } 2>/dev/null || true; }

# --- verdict --------------------------------------------------------------------
kernel_bad='BUG:|WARNING:|Oops|Call Trace|Kernel panic|kernel BUG|general protection fault|Unable to handle|UBSAN:|KASAN:|list_(add|del) corruption|refcount_t:|INFO: task .* blocked|rcu.*stall|hung_task|soft lockup|hard LOCKUP'
# the debug kernel's checkers: lockdep, and kmemleak's report read by /init
# (its periodic scan's "suspected memory leaks" line may be about boot)
kernel_bad="$kernel_bad"'|possible (circular|recursive) locking|inconsistent lock state|INFO: trying to register non-static key|DEBUG_LOCKS_WARN_ON|turning off the locking correctness validator|unreferenced object'
# on the debug kernel, kmemleak must have scanned (see /init)
need_kmemleak=0
[ "${CELLSENSE_VM_KERNEL:-debian}" != debug ] || need_kmemleak=1
allow="${CELLSENSE_VM_KERNEL_ALLOW:-^\$^}"

verdict=$(rd "$res" | awk -v scripts="$scripts" -v qrc="$qrc" -v tmo="$tmo" \
	-v boot_hung="$boot_hung" -v boot_tmo="$boot_tmo" \
	-v bad="$kernel_bad" -v allow="$allow" -v need_kmemleak="$need_kmemleak" '
	BEGIN {
		n = split(scripts, s, " ")
		for (i = 1; i <= n; i++) want[s[i]] = 1
		cur = "(boot)"
	}
	/^VMTEST-DMESG-BEGIN/ { indmesg = 1; next }
	/^VMTEST-DMESG-END/ { indmesg = 0; next }
	/^VMTEST-KMEMLEAK-BEGIN/ { indmesg = 1; next }
	/^VMTEST-KMEMLEAK-END/ { indmesg = 0; kmemleak = 1; next }
	indmesg {
		if ($0 ~ bad && $0 !~ allow) kern[++nk] = $0
		next
	}
	/^VMTEST-BOOT / { booted = 1; next }
	/^VMTEST-BEGIN / { cur = $2; began[cur] = 1; next }
	/^VMTEST-RC / { rc[$2] = $3; cur = "(end)"; next }
	/^VMTEST-END/ { ended = 1; next }
	/^PASS / { npass[cur]++; tpass++; next }
	/^SKIP / { nskip[cur]++; tskip++; next }
	/^FAIL / { nfail[cur]++; fails[++nf] = cur ": " substr($0, 6); next }
	END {
		bad_run = 0
		if (qrc == 124 || qrc == 137) { print "FAIL timeout: VM killed after " tmo "s"; bad_run = 1 }
		else if (qrc != 0) { print "FAIL qemu exited " qrc; bad_run = 1 }
		if (boot_hung) print "FAIL guest did not reach /init within " boot_tmo "s, twice"
		if (!booted) { print "FAIL guest never reached /init"; bad_run = 1 }
		if (!ended) { print "FAIL guest did not finish (no VMTEST-END)"; bad_run = 1 }
		else if (need_kmemleak && !kmemleak) print "FAIL debug kernel: no kmemleak scan (is /sys/kernel/debug/kmemleak there?)"
		for (i = 1; i <= nf; i++) print "FAIL " fails[i]
		for (i = 1; i <= n; i++) {
			t = s[i]
			if (!began[t]) { print "FAIL " t ": never started"; continue }
			if (!(t in rc)) { print "FAIL " t ": did not finish"; continue }
			if (rc[t] != 0) print "FAIL " t ": exited " rc[t]
			else if (!npass[t] && !nfail[t]) print "FAIL " t ": passed no check"
			printf "SCRIPT %s %d %d %d %s\n", t, npass[t], nfail[t], nskip[t], rc[t]
		}
		for (i = 1; i <= nk && i <= 10; i++) print "FAIL kernel log: " kern[i]
		if (nk > 10) print "FAIL kernel log: ... " (nk - 10) " more"
		printf "TOTAL %d %d\n", tpass, tskip
	}')

# Kernel messages on the console (e.g. a panic before /init could dump
# dmesg); only printk-looking lines ("[   1.234567] ...") count.
console_bad=$(rd "$log" | grep -E '^\[ *[0-9]+\.[0-9]+\] ' |
	grep -E "$kernel_bad" | grep -Ev "$allow" | head -n 5 || true)
if [ -n "$console_bad" ] && ! echo "$verdict" | grep -q '^FAIL kernel log'; then
	verdict="$verdict
$(echo "$console_bad" | sed 's/^/FAIL kernel console: /')"
fi

boot_s=$(rd "$res" | sed -n 's/^VMTEST-BOOT [^ ]* \([0-9.]*\)s$/\1/p')
end_s=$(rd "$res" | sed -n 's/^VMTEST-END \([0-9.]*\)s$/\1/p')
timing=$(awk -v a="$t0" -v b="$t1" -v c="$t2" -v bs="${boot_s:-?}" -v es="${end_s:-?}" \
	'BEGIN { printf "initramfs %.1fs, vm %.1fs (guest: /init at %ss, done at %ss)", b - a, c - b, bs, es }')

echo "$verdict" | awk '/^SCRIPT / {
	st = ($4 == 0 && $6 == 0 && $3 > 0) ? "ok  " : "FAIL"
	printf "  %s %-28s %3d passed, %d failed, %d skipped, exit %s\n", st, $2, $3, $4, $5, $6 }'
[ "$rebooted" = 0 ] || echo "  note: the guest did not reach /init within ${boot_tmo}s (a hang in the kernel's own boot): killed it and booted again; the first console is $log.hung"
if echo "$verdict" | grep -q '^FAIL'; then
	echo "$verdict" | grep '^FAIL' | sed 's/^/  /'
	echo "--- tail of $log ---"
	rd "$log" | tail -n 40
	echo "--- end of $log ---"
	echo "vm test $name: FAILED ($timing); console: $log, results: $res"
	exit 1
fi
[ "$lingered" = 0 ] || echo "  note: qemu did not exit 10 s after the guest finished; stopped it"
echo "vm test $name: passed ($timing)"
exit 0
