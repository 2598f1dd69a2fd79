#!/bin/sh
# Run every test of cellsense and end with one "N passed, N failed" line.
# Called by `make check` after the normal and the sanitizer builds:
#   tests/run-all.sh BUILD_DIR
# Each test's output goes to BUILD_DIR/test-logs/NAME.log; a failing test's
# failing checks (lines starting FAIL, with 3 lines before each) and its
# log tail are shown. Exit status: 0 if all passed, 1 otherwise.
set -u

BUILD=${1:-build}
SRC=$(cd "$(dirname "$0")/.." && pwd)
case $BUILD in /*) ;; *) BUILD=$SRC/$BUILD ;; esac
LOGS=$BUILD/test-logs
rm -rf "$LOGS"
mkdir -p "$LOGS"
passed=0
failed=0
failures=""

# run_test NAME CMD...: one test, pass when CMD exits 0.
run_test() {
	name=$1
	shift
	log=$LOGS/$(echo "$name" | tr '/ ' '__').log
	if "$@" >"$log" 2>&1; then
		passed=$((passed + 1))
		printf 'PASS  %s\n' "$name"
	else
		failed=$((failed + 1))
		failures="$failures $name"
		printf 'FAIL  %s  (log: %s)\n' "$name" "$log"
		# the failing checks with the lines before them, as the tail
		# alone may hold only the passes after them
		if grep -q '^ *FAIL' "$log"; then
			grep -B 3 '^ *FAIL' "$log" | head -n 40 | sed 's/^/      ! /'
		fi
		tail -n 15 "$log" | sed 's/^/      | /'
	fi
}

# Tool tests get the tools in $BIN, the repo in $SRC and a scratch $TMPDIR.
run_tool_test() {
	label=$1 bin=$2 script=$3
	scratch=$(mktemp -d)
	run_test "$label/$(basename "$script" .sh)" \
		env BIN="$bin" SRC="$SRC" TMPDIR="$scratch" sh "$script"
	rm -rf "$scratch"
}

export ASAN_OPTIONS=abort_on_error=0:halt_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

echo "== unit tests (cmocka)"
for t in "$BUILD"/tests/test-*; do
	[ -x "$t" ] && run_test "unit/$(basename "$t")" "$t"
done
echo "== unit tests under ASan+UBSan"
for t in "$BUILD"/san/tests/test-*; do
	[ -x "$t" ] && run_test "unit-san/$(basename "$t")" "$t"
done

echo "== tool pipelines"
for s in "$SRC"/tests/tools/*.sh; do
	run_tool_test tools "$BUILD/bin" "$s"
done
echo "== tool pipelines under ASan+UBSan"
for s in "$SRC"/tests/tools/*.sh; do
	run_tool_test tools-san "$BUILD/san/bin" "$s"
done

echo "== fuzz targets (libFuzzer, a short run each, seeded)"
for f in "$BUILD"/fuzz/fuzz-*; do
	n=$(basename "$f")
	corpus=$BUILD/fuzz/corpus-$n
	mkdir -p "$corpus"
	seeds=""
	[ "$n" = fuzz-dbc ] && seeds="$SRC/dbc"
	# hand-written examples for a target, in fuzz/seeds/<name>/
	[ -d "$SRC/fuzz/seeds/${n#fuzz-}" ] && seeds="$SRC/fuzz/seeds/${n#fuzz-}"
	# issue 17's targets run a few seconds each: make check stays short
	secs=${CELLSENSE_FUZZ_SECONDS:-20}
	case $n in
	fuzz-streams|fuzz-dsp|fuzz-fbgconfig) secs=${CELLSENSE_FUZZ_SECONDS:-5} ;;
	esac
	# fuzz-canmap's seed is the project's map itself (a symlink to
	# dbc/cellsense.map, 6.5 KB): whole, not cut at 4 KiB
	maxlen=4096
	[ "$n" = fuzz-canmap ] && maxlen=8192
	run_test "fuzz/$n" "$f" -max_total_time="$secs" \
		-max_len="$maxlen" "$corpus" $seeds
done

echo "== kernel style (checkpatch --strict, sparse)"
run_test kernel/checkpatch "$SRC/scripts/lint-kernel.sh" checkpatch
run_test kernel/sparse "$SRC/scripts/lint-kernel.sh" sparse
run_test kernel/bindings "$SRC/scripts/check-bindings.sh"

echo "== install (into a temporary root; pkg-config, man, systemd, dkms)"
run_test install/install "$SRC/tests/install/install.sh" "$BUILD"

echo "== VM (Debian's kernel in qemu)"
for s in "$SRC"/tests/vm/guest/*.sh; do
	n=$(basename "$s" .sh)
	# soak: make soak (minutes); remote-*: the guest half of a host-side
	# test, run below
	case $n in lib|selftest-*|demo|demo-*|bench-*|soak|remote-*) continue ;; esac
	run_test "vm/$n" "$SRC/tests/vm/run.sh" "$s"
done
# iiod in the guest, fbgtrack on this host through a forwarded port
run_test vm/remote-iiod env BIN="$BUILD/bin" "$SRC/tests/vm/remote.sh" "$BUILD"
run_test vm/harness-selftest "$SRC/tests/vm/selftest.sh"

echo
[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
