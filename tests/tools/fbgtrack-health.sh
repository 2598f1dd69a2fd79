# Sensor health: with --health N, every N spectra each grating's peak
# power and width as records; a grating gone dark has neither (nan,
# lost); a reflection unlike --fwhm is warned about once, with both widths
# (without --fwhm, each width is measured: nothing to say).
set -eu
"$BIN/fbgsim" -N 300 -g 1530 -g 1560:0.3 --fwhm 0.6 --drop=1:100:199 |
	"$BIN/fbgtrack" -g a:1530 -g b:1560 --fwhm 3.6 --health 50 \
	> "$TMPDIR/out.tsv" 2>"$TMPDIR/err"
awk -F'\t' '
	$3 == "peak_power" { n[$2 FS "p"]++; if ($5 != "counts") bad++
		if ($2 == "fbg0/b" && $1 >= 100e9 && $1 < 200e9) {
			if ($4 != "nan" || $6 != "lost") bad++
		} else if (!($4 > 0)) bad++
		else p[$2] = $4 }
	$3 == "fwhm" { n[$2 FS "w"]++; if ($5 != "nm") bad++
		if ($4 != "nan" && ($4 < 0.55 || $4 > 0.65)) bad++ }
	END {
		# spectra 0, 50, ... 250: six of each
		exit !(bad == 0 && n["fbg0/a" FS "p"] == 6 && n["fbg0/b" FS "w"] == 6 &&
		       p["fbg0/b"] < 0.8 * p["fbg0/a"])
	}' "$TMPDIR/out.tsv"
! grep -q "wide" "$TMPDIR/err"
# told 3 px, the reflection is 7: said once a grating, with both numbers
"$BIN/fbgsim" -N 30 -g 1530 --fwhm 1.2 >"$TMPDIR/s7.raw"
"$BIN/fbgtrack" --fwhm 3 -g a:1530 "$TMPDIR/s7.raw" > /dev/null 2>"$TMPDIR/err"
test "$(grep -c "fbg0/a: its reflection is 7.2 pixels wide.*--fwhm says 3.0" "$TMPDIR/err")" = 1
# not told: measured, and its health records say 7.2 pixels (1.2 nm)
"$BIN/fbgtrack" --health 10 -g a:1530 "$TMPDIR/s7.raw" > "$TMPDIR/out.tsv" 2>"$TMPDIR/err"
! grep -q "wide" "$TMPDIR/err"
awk -F'\t' '$3 == "fwhm" { n++; if (!($4 > 1.1 && $4 < 1.3)) bad++ }
	END { exit !(n == 3 && !bad) }' "$TMPDIR/out.tsv"
