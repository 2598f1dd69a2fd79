#!/bin/sh
# selftest.sh - prove that tests/vm/run.sh fails when it must, for the right
# reason. Each case runs run.sh, expects a non-zero exit, and expects its
# output to name the failure.
#
#   1. one boot, three scripts: a failing check (selftest-fail.sh), a script
#      dying under set -e without a FAIL line (selftest-exit.sh), a kernel
#      "WARNING:", a lockdep and a kmemleak line in dmesg (selftest-warn.sh)
#   2. the guest's per-script limit (cellsense.script_timeout) kills a hung
#      script, the next script still runs
#   3. the host's hard timeout kills a guest that never finishes
#   4. a guest that reports its end but does not power off (here: /init's
#      debug shell, waiting on a console with no input) is stopped 10 s
#      later and judged on what it reported: run.sh passes, with a note
#   5. a guest not at /init by the boot deadline (here 1 s, which no boot
#      meets) is killed and booted again once, then the run fails
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
run="$top/tests/vm/run.sh"
out_dir="$top/build/vm"
failed=0

initrd=$("$top/tests/vm/mkinitramfs.sh") || exit 2

# expect_fail CASE "PATTERN..." -- run.sh ARGS
expect_fail() {
	case_name=$1
	patterns=$2
	shift 3
	out=$("$run" --initrd "$initrd" --name "selftest-$case_name" "$@" 2>&1)
	rc=$?
	if [ "$rc" -eq 0 ]; then
		echo "SELFTEST FAIL $case_name: run.sh exited 0"
		echo "$out" | sed 's/^/    /'
		failed=1
		return
	fi
	ok=1
	old_ifs=$IFS
	IFS='|'
	for p in $patterns; do
		if ! echo "$out" | grep -q -- "$p"; then
			echo "SELFTEST FAIL $case_name: run.sh output lacks '$p'"
			ok=0
		fi
	done
	IFS=$old_ifs
	if [ "$ok" = 1 ]; then
		echo "SELFTEST ok   $case_name: run.sh exited $rc for the expected reasons"
	else
		echo "$out" | grep -v '^\[' | sed 's/^/    /'
		failed=1
	fi
}

expect_fail report \
	'FAIL selftest-fail.sh: selftest-false exit 1|FAIL selftest-exit.sh: exited 1|FAIL kernel log: .*fake warning|FAIL kernel log: .*fake lockdep|FAIL kernel log: .*fake kmemleak|vm test selftest-report: FAILED' \
	-- selftest-fail.sh selftest-exit.sh selftest-warn.sh

expect_fail guest-timeout \
	'FAIL selftest-hang.sh: selftest-hang.sh killed after 3s|FAIL selftest-hang.sh: exited 137|selftest-fail.sh *1 passed, 1 failed' \
	-- --append cellsense.script_timeout=3 selftest-hang.sh selftest-fail.sh

# Boot takes ~8 s under TCG: 25 s is a hang, not a slow boot.
expect_fail host-timeout \
	'FAIL timeout: VM killed after 25s|FAIL guest did not finish|FAIL selftest-hang.sh: did not finish' \
	-- --timeout 25 selftest-hang.sh

expect_fail boot-hang \
	'booted again|FAIL guest did not reach /init within 1s, twice|FAIL guest never reached /init' \
	-- --boot-timeout 1 selftest-true.sh

out=$("$run" --initrd "$initrd" --name selftest-linger --timeout 60 \
	--append cellsense.shell=1 selftest-true.sh 2>&1)
rc=$?
if [ "$rc" -eq 0 ] && echo "$out" | grep -q 'note: qemu did not exit'; then
	echo "SELFTEST ok   linger: run.sh stopped the lingering VM and passed"
else
	echo "SELFTEST FAIL linger: run.sh exited $rc"
	echo "$out" | grep -v '^\[' | sed 's/^/    /'
	failed=1
fi

if [ "$failed" = 0 ]; then
	echo "vm selftest: passed"
else
	echo "vm selftest: FAILED"
fi
exit "$failed"
