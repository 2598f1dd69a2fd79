# fbgtrack not told the widths (no --fwhm) on an interrogator export in
# the ENLIGHT layout (dBm, 8 pm pixels) of reflections fbgsim does not make,
# written by tests/tools/common/shapes-export.py from their formulas: a
# Gaussian 20 px wide, a Lorentzian 40 px, a flat-topped one 60 px, a
# sinc^2 17 px. Each width is measured when the grating is found (its
# health record says it), none is lost; once the shapes are learned (by
# spectrum 600) every value is ok, and error over stated uncertainty has
# an RMS between 0.7 and 1.4 per grating (the flat-topped and sinc^2 ones
# read 0.30 and 0.32 when the noise of their tops' landmarks was counted
# as the centre's uncertainty); before, a value is ok only within 4 of
# its uncertainties, else flagged misfit. The light under them is flat and
# fbgtrack is told so (--source-slope 0); not told, the gratings drifting
# one way never show their source and what one could do counts: the same
# errors, an RMS of at most 1.4 (wider uncertainties, 0.63 on the 60-px
# flat top).
set -eu
PY=/usr/bin/python3
$PY "$SRC/tests/tools/common/shapes-export.py" 1000 "$TMPDIR/truth" \
	>"$TMPDIR/export.txt"
# check FILE LO: per grating, spectra 600-999 ok with an RMS in LO..1.4
check() {
awk -F'\t' -v lo="$2" '
	FILENAME == ARGV[1] { t[$1 " " $2] = $3; next }
	FNR == 1 { next }
	$3 == "fwhm" {
		# 20, 40, 60, 17 px of 8 pm (the Lorentzian: within its window)
		g = substr($2, 6); w[g] = $4 / 0.008; next
	}
	$3 != "wavelength" { next }
	{
		g = substr($2, 6); k = cnt[g]++
		if ($4 == "nan") { print "no value: " g " " k; bad = 1; next }
		e = $4 - t[k " " g]; z = e / $7
		if (k < 600) {
			if ($6 == "ok" && (z > 4 || z < -4)) {
				print "ok " z " sigma off: " g " " k; bad = 1
			}
			next
		}
		if ($6 != "ok") { print $6 ": " g " " k; bad = 1 }
		n[g]++; z2[g] += z * z; s[g] += e
	}
	END {
		split("20 40 60 17", want, " ")
		for (i = 0; i < 4; i++) {
			g = "g" i; r = sqrt(z2[g] / n[g])
			printf "%s: width %.1f px, bias %+.3f pm, err/unc rms %.2f\n",
				g, w[g], 1000 * s[g] / n[g], r
			if (n[g] != 400 || r > 1.4 || r < lo) bad = 1
			if (w[g] < 0.85 * want[i + 1] || w[g] > 1.1 * want[i + 1])
				bad = 1
		}
		exit bad
	}' "$TMPDIR/truth" "$1"
}
for slope in 0 auto; do
	"$BIN/fbgtrack" --health 900 --source-slope $slope -g g0:1544 \
		-g g1:1548 -g g2:1552 -g g3:1556 "$TMPDIR/export.txt" \
		>"$TMPDIR/out.$slope" 2>"$TMPDIR/err"
	cat "$TMPDIR/err"
	grep -q "1000 spectra; 0 lost, 0 merged" "$TMPDIR/err"
done
check "$TMPDIR/out.0" 0.7
check "$TMPDIR/out.auto" 0
# told a width (--fwhm 20): the windows are that size for all four; the
# 40-px Lorentzian (30 px as the Gaussian fitted in a 20-px window sees it)
# is warned about with both numbers, the 20-px one is not, and the 60-px
# flat top, whose window is all top, is lost, never given a made-up value
head -n $((2511 * 50)) "$TMPDIR/export.txt" >"$TMPDIR/short.txt"
"$BIN/fbgtrack" --fwhm 20 -g g0:1544 -g g1:1548 -g g2:1552 -g g3:1556 \
	"$TMPDIR/short.txt" >/dev/null 2>"$TMPDIR/err"
cat "$TMPDIR/err"
grep -q "fbg0/g1: its reflection is 30.3 pixels wide.*--fwhm says 20.0" "$TMPDIR/err"
! grep -q "fbg0/g0: its reflection" "$TMPDIR/err"
grep -q "50 spectra; 50 lost" "$TMPDIR/err"
