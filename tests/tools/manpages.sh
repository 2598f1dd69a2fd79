# Every long option a tool's --help lists is in its man page, and every
# tool has one: help and man page must not drift apart.
set -eu
for tool in "$BIN"/*; do
	name=$(basename "$tool")
	page="$SRC/man/$name.1"
	[ -f "$page" ] || { echo "$name: no man page $page"; exit 1; }
	"$tool" --help >"$TMPDIR/help" || { echo "$name --help failed"; exit 1; }
	for opt in $(grep -o -- '--[a-z][a-z-]*' "$TMPDIR/help" | sort -u); do
		esc=$(echo "$opt" | sed 's/-/\\\\-/g')
		grep -q -- "$esc" "$page" || { echo "$name: $opt not in $page"; exit 1; }
	done
done
