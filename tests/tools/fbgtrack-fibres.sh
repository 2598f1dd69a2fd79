# Two fibres through an optical switch, each spectrum tagged by the
# driver's index element: every grating is measured in its own fibre's
# spectra only, against the truth; a gap in the sequence numbers (an
# overrun upstream) is counted and reported, and so is a board reset.
set -eu
"$BIN/fbgsim" -N 400 --fibres 2 -I -g 1530 -g 1545 --ramp 0.05 --gap 100:3 \
	--truth "$TMPDIR/truth.tsv" |
	"$BIN/fbgtrack" -I -g a:1530::0 -g b:1545::0 -g c:1526::1 -g d:1541::1 \
	> "$TMPDIR/out.tsv" 2>"$TMPDIR/err"
cat "$TMPDIR/err"
grep -q "3 spectra missing before they reached us" "$TMPDIR/err"
awk -F'\t' '
	NR == FNR { t[$1 FS $2] = $4; next }
	FNR > 1 {
		m["fbg0/a"] = "fbg0/f0g0"; m["fbg0/b"] = "fbg0/f0g1"
		m["fbg0/c"] = "fbg0/f1g0"; m["fbg0/d"] = "fbg0/f1g1"
		k = $1 FS m[$2]
		if (!(k in t) || $6 != "ok") { bad++; next }
		e = $4 - t[k]; if (e < 0) e = -e; if (e > 0.003) bad++
		n[$2]++
	}
	END { exit !(bad == 0 && n["fbg0/a"] == 200 && n["fbg0/d"] == 200) }' \
	"$TMPDIR/truth.tsv" "$TMPDIR/out.tsv"
# a board reset (the count starts again from 0) is reported as one, not
# as 65 000 spectra missing
"$BIN/fbgsim" -N 400 --fibres 2 -I -g 1530 -g 1545 --gap 100:3 --reset-at 250 |
	"$BIN/fbgtrack" -I -g a:1530::0 -g b:1545::0 -g c:1526::1 -g d:1541::1 \
	> "$TMPDIR/out.tsv" 2>"$TMPDIR/err"
cat "$TMPDIR/err"
grep -q "3 spectra missing before they reached us" "$TMPDIR/err"
grep -q ": 1 board resets" "$TMPDIR/err"
# a grating on a fibre the switch does not have is refused without --index
set +e
"$BIN/fbgtrack" --fibres 2 -g a:1530::2 </dev/null 2>"$TMPDIR/e"
st=$?
set -e
[ "$st" -eq 2 ] && grep -q "is on fibre 2, but --fibres is 2" "$TMPDIR/e"
