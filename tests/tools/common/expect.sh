# Sourced by tests/tools/*.sh (a subdirectory, so run-all.sh does not run it
# as a test): . "$SRC/tests/tools/common/expect.sh"

# expect STATUS PATTERN CMD...: CMD, with no input, exits STATUS and its
# stderr matches PATTERN (grep); its output is left in $TMPDIR/o and $TMPDIR/e.
expect() {
	want=$1 pat=$2
	shift 2
	set +e
	"$@" </dev/null >"$TMPDIR/o" 2>"$TMPDIR/e"
	got=$?
	set -e
	[ "$got" -eq "$want" ] || { echo "exit $got, wanted $want: $*"; cat "$TMPDIR/e"; exit 1; }
	grep -q -- "$pat" "$TMPDIR/e" || { echo "no '$pat' in:"; cat "$TMPDIR/e"; exit 1; }
}
