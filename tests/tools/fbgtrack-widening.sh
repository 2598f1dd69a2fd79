# A grating whose reflection widens as it drifts (17 to 25 px over 2000
# spectra at 49 dB, tests/tools/common/widening.py), the light under it
# flat (--source-slope 0). Its learned shape, which remembers ~4000
# spectra, could not follow: from 2 % wider its fits were misfit, 273 in
# 4000 lost though the reflection was there, and values were up to 7 pm
# off. Now a run of misfit fits, or a fit that fails, has its width
# measured again, and where it has changed its shape starts again from
# it: none lost, no ok value beyond 4 of its uncertainties, and once the
# width is steady the values are right (err/unc RMS 0.7-1.4 over the
# last 1000 spectra, all ok).
set -eu
/usr/bin/python3 "$SRC/tests/tools/common/widening.py" 4000 17 25 \
	"$TMPDIR/truth" >"$TMPDIR/spectra.txt"
"$BIN/fbgtrack" --source-slope 0 -w 1540,0.008 -g g:1543.2 \
	"$TMPDIR/spectra.txt" >"$TMPDIR/out" 2>"$TMPDIR/err"
cat "$TMPDIR/err"
grep -q "4000 spectra; 0 lost" "$TMPDIR/err"
awk -F'\t' '
	FILENAME == ARGV[1] { t[$1] = $2; next }
	$3 != "wavelength" { next }
	{
		k = $1 / 1e9
		if ($4 == "nan") { print "no value: " k; bad = 1; next }
		z = ($4 - t[k]) / $7
		if ($6 == "ok" && (z > 4 || z < -4)) { print "ok " z " sigma off: " k; bad = 1 }
		if (k < 3000) next
		if ($6 != "ok") { print $6 ": " k; bad = 1 }
		n++; z2 += z * z; e2 += ($4 - t[k]) ^ 2
	}
	END {
		r = sqrt(z2 / n)
		printf "spectra 3000-3999: %d ok, rms %.3f pm, err/unc rms %.2f\n", n, 1000 * sqrt(e2 / n), r
		exit bad || n != 1000 || r < 0.7 || r > 1.4
	}' "$TMPDIR/truth" "$TMPDIR/out"
