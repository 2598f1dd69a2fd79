# Temperature-compensated strain: a strain-free grating gives the
# temperature, a bonded one strain and temperature together; with the
# calibration file, strain comes out within its stated uncertainty of the
# truth, and the uncertainty is honest (normalised errors of unit spread).
set -eu
cat > "$TMPDIR/cal" <<'CAL'
# grating quantity coefficients
t   temperature lambda0=1530 t0=25 s1=0.010 source=synthetic
e   strain      lambda0=1545 t0=25 ke=0.0012 kt=0.010 comp=t
CAL
"$BIN/fbgsim" -N 3000 -g 1530:0.5:10 -g 1545:0.5:10:1.2 --ramp 0.01 \
	--strain-ramp 0.5 --truth "$TMPDIR/truth.tsv" |
	"$BIN/fbgtrack" -g t:1530 -g e:1545:3 -k "$TMPDIR/cal" > "$TMPDIR/out.tsv"
awk -F'\t' '
	NR == FNR { if ($3 == "temperature") T[$1] = $4; if ($3 == "strain") S[$1] = $4; next }
	$3 == "temperature" && $6 == "ok" { d = $4 - T[$1]; nt++; zt += (d / $7)^2; if (d*d > mt) mt = d*d }
	$3 == "strain" && $6 == "ok" { d = $4 - S[$1]; ns++; zs += (d / $7)^2; if (d*d > ms) ms = d*d }
	END {
		zt = sqrt(zt / nt); zs = sqrt(zs / ns)
		printf "temperature: %d, max error %.3f K, rms(error/u) %.2f\n", nt, sqrt(mt), zt
		printf "strain: %d, max error %.2f ustrain, rms(error/u) %.2f\n", ns, sqrt(ms), zs
		exit !(nt == 3000 && ns == 3000 && sqrt(mt) < 0.3 && sqrt(ms) < 3 &&
		       zt > 0.7 && zt < 1.4 && zs > 0.7 && zs < 1.4)
	}' "$TMPDIR/truth.tsv" "$TMPDIR/out.tsv"
# a calibration file with a mistake is named by file and line
printf 't temperature lambda0=1530 s1=0.01\ne strain lambda0=1545 ke=0.0012 kt=0.01 comp=x\n' > "$TMPDIR/bad"
set +e
"$BIN/fbgtrack" -g t:1530 -g e:1545 -k "$TMPDIR/bad" </dev/null 2>"$TMPDIR/err"
st=$?
set -e
[ "$st" -eq 2 ]
grep -q ":2: comp= names no temperature grating" "$TMPDIR/err"
printf 't temperature lambda0=1530 s1=abc\n' > "$TMPDIR/bad2"
set +e
"$BIN/fbgtrack" -g t:1530 -k "$TMPDIR/bad2" </dev/null 2>"$TMPDIR/err"
st=$?
set -e
[ "$st" -eq 2 ]
grep -q "bad2:1: value is not a number" "$TMPDIR/err"
# the calibration from a config file, relative to it and absolute, with
# lines after it: the same records as from -k
printf 'calibration = cal\ngrating = t:1530\ngrating = e:1545:3\n' > "$TMPDIR/rel.conf"
printf 'calibration = %s/cal\ngrating = t:1530\ngrating = e:1545:3\n' "$TMPDIR" > "$TMPDIR/abs.conf"
"$BIN/fbgsim" -N 50 -g 1530:0.5:10 -g 1545:0.5:10:1.2 --strain-ramp 0.5 > "$TMPDIR/s.raw"
"$BIN/fbgtrack" -g t:1530 -g e:1545:3 -k "$TMPDIR/cal" "$TMPDIR/s.raw" > "$TMPDIR/k.tsv"
"$BIN/fbgtrack" -c "$TMPDIR/rel.conf" "$TMPDIR/s.raw" > "$TMPDIR/rel.tsv"
(cd / && "$BIN/fbgtrack" -c "$TMPDIR/abs.conf" "$TMPDIR/s.raw") > "$TMPDIR/abs.tsv"
cmp "$TMPDIR/k.tsv" "$TMPDIR/rel.tsv"
cmp "$TMPDIR/k.tsv" "$TMPDIR/abs.tsv"
grep -q '	fbg0/e	strain	' "$TMPDIR/k.tsv"
