# ustof finds weak echoes: at a matched-filter SNR of 8 (amplitude 108
# counts in noise of 20, the default pulse's root energy 1.48) at least 97 %
# of 400 shots have a value, within 4 of its uncertainty of the truth; a
# gate of noise alone has none (the default --false-alarm 1e-4).
set -eu
"$BIN/ussim" -N 400 -e 10.013:108 --noise 20 --pulse-out "$TMPDIR/p" \
	--truth "$TMPDIR/truth" >"$TMPDIR/a"
"$BIN/ustof" -p "$TMPDIR/p" -g e0:5:15 -g none:25:45 -q tof "$TMPDIR/a" \
	>"$TMPDIR/out" 2>/dev/null
awk -F'\t' '
FNR == 1 { next }
FILENAME == ARGV[1] { truth[$1] = $4; next }
$2 == "us0/none" { if ($6 !~ /^lost:/) { print "noise gate: " $0; bad = 1 }; next }
$6 == "ok" || $6 == "ambiguous" {
	found++
	e = $4 - truth[$1]
	if (e > 4 * $7 || e < -4 * $7) { print "error " e " ns, uncertainty " $7; bad = 1 }
}
END { printf "found %d of 400\n", found; exit bad || found < 388 }' \
	"$TMPDIR/truth" "$TMPDIR/out"
