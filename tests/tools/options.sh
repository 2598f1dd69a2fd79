# Every tool: --help and --version exit 0 on stdout; an unknown option is
# named on stderr with a pointer to --help, and exits 2.
set -eu
for tool in "$BIN"/*; do
	name=$(basename "$tool")
	"$tool" --help | grep -q "^Usage: $name" || { echo "$name --help"; exit 1; }
	"$tool" --version | grep -q "^$name (cellsense) " || { echo "$name --version"; exit 1; }
	set +e
	"$tool" --frobnicate </dev/null >"$TMPDIR/out" 2>"$TMPDIR/err"
	st=$?
	set -e
	[ "$st" -eq 2 ] || { echo "$name --frobnicate: exit $st, wanted 2"; exit 1; }
	grep -q "frobnicate" "$TMPDIR/err" || { echo "$name: option not named"; cat "$TMPDIR/err"; exit 1; }
	grep -q "Try '$name --help'" "$TMPDIR/err" || { echo "$name: no pointer to --help"; exit 1; }
	[ ! -s "$TMPDIR/out" ] || { echo "$name: wrote to stdout on a usage error"; exit 1; }
done
