# fbgtrack on fbgsim's 25-px Gaussians (--fwhm 0.2 at 8 pm) written as an
# ENLIGHT-layout dBm export (tests/tools/common/enlight.py), drifting
# slowly (0.05 pm a spectrum, 6 px over 1000 spectra), no --fwhm. fbgsim's
# reflection is the grating's times its sloped, humped source: on so wide
# a reflection the top is up to 0.37 pm off the grating's wavelength (k
# sigma^2, k the source's log slope), which no fit of one spectrum can
# tell. Every value read ok with an error over uncertainty RMS of
# 2.2/1.0/2.9/4.4 over spectra 500-999 (a confident wrong answer). Now the
# source's slope is measured from how the reflection's area follows its
# position: once the grating has moved ~3 px (spectrum 500 here), its
# shift is taken off or counted in the uncertainty, and every value is ok
# with an RMS between 0.7 and 1.4 per grating (or a status says it is not
# sure).
set -eu
PY=/usr/bin/python3
"$BIN/fbgsim" -N 1000 -n 2501 -w 1540,0.008 -f le:f64 --fwhm 0.2 \
	--ramp 0.005 -g 1544 -g 1548 -g 1552 -g 1556 --truth "$TMPDIR/truth" \
	>"$TMPDIR/s.f64"
$PY "$SRC/tests/tools/common/enlight.py" "$TMPDIR/s.f64" 2501 1540 0.008 \
	--channels 1 >"$TMPDIR/export.txt"
"$BIN/fbgtrack" -g g0:1544 -g g1:1548 -g g2:1552 -g g3:1556 \
	"$TMPDIR/export.txt" >"$TMPDIR/out" 2>"$TMPDIR/err"
cat "$TMPDIR/err"
awk -F'\t' '
	FILENAME == ARGV[1] { if (FNR > 1) t[$1 " " $2] = $4; next }
	FNR == 1 || $3 != "wavelength" { next }
	{
		g = substr($2, 6)
		if (!(($1 " " $2) in t)) { print "no truth: " $1 " " g; bad = 1; next }
		if ($4 == "nan") { print "no value: " $1 " " g; bad = 1; next }
		if ($1 < 500e9) next
		e = $4 - t[$1 " " $2]
		n[g]++; s[g] += e
		if ($6 != "ok") { flagged[g]++; next }
		z2[g] += (e / $7) ^ 2; nok[g]++
	}
	END {
		for (i = 0; i < 4; i++) {
			g = "g" i
			r = nok[g] ? sqrt(z2[g] / nok[g]) : 0
			printf "%s: bias %+.3f pm, %d of %d not ok, err/unc rms %.2f (ok ones)\n",
				g, 1000 * s[g] / n[g], flagged[g], n[g], r
			if (n[g] != 500) bad = 1
			# right (0.7-1.4) or, for most values, not sure
			if ((r < 0.7 || r > 1.4) && flagged[g] < 450) bad = 1
		}
		exit bad
	}' "$TMPDIR/truth" "$TMPDIR/out"
