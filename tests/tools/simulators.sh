# The simulators (fbgsim, resim, ussim) feed pipelines: a reader that has
# had enough ends them quietly (exit 0, nothing on stderr), and a truth
# file they cannot write is named, exit 1, as soon as a write fails.
set -eu
. "$SRC/tests/tools/common/expect.sh"

for cmd in "fbgsim -g 1530" "resim" "ussim"; do
	name=${cmd%% *}
	# the simulator's own status, not the pipeline's (head's)
	# shellcheck disable=SC2086 # the options are words
	{ "$BIN"/$cmd -N 1000000 2>"$TMPDIR/err"; echo $? >"$TMPDIR/st"; } |
		head -c 4096 >/dev/null
	[ "$(cat "$TMPDIR/st")" = 0 ] ||
		{ echo "$name | head: exit $(cat "$TMPDIR/st")"; exit 1; }
	[ ! -s "$TMPDIR/err" ] ||
		{ echo "$name on a closed pipe:"; cat "$TMPDIR/err"; exit 1; }
	# shellcheck disable=SC2086
	expect 1 "/dev/full" "$BIN"/$cmd -N 2000 --truth /dev/full
done
echo "simulators: closed pipes quiet, truth write errors named"
