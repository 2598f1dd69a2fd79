# Tracking against known truth: two gratings that cross (one heats, one is
# strained the other way) keep their names and are merged while their peaks
# are one; a grating that goes dark is lost, with no value, and found again.
set -eu
# crossing: +10 pm/K and -10 pm/K, 0.1 K a spectrum, they meet near 1000
"$BIN/fbgsim" -N 2000 -g 1540:0.5:10 -g 1542:0.4:-10 --ramp 0.1 \
	--truth "$TMPDIR/truth.tsv" |
	"$BIN/fbgtrack" -g a:1540 -g b:1542 > "$TMPDIR/out.tsv" 2>"$TMPDIR/err"
awk -F'\t' '
	NR == FNR { if ($2 == "fbg0/g0") ta[$1] = $4; if ($2 == "fbg0/g1") tb[$1] = $4; next }
	FNR == 1 { next }
	{ t = ($2 == "fbg0/a") ? ta[$1] : tb[$1]; st[$2 FS $6]++ }
	$6 == "ok" { e = $4 - t; if (e < 0) e = -e; if (e > 0.005) wrong++ }
	$6 == "merged" && $4 != "nan" { wrong++ }
	$6 == "merged" { m[$1]++ }
	END {
		for (k in m) if (m[k] != 2) half++
		printf "a ok %d merged %d; b ok %d merged %d; wrong %d; half-merged %d\n",
			st["fbg0/a" FS "ok"], st["fbg0/a" FS "merged"],
			st["fbg0/b" FS "ok"], st["fbg0/b" FS "merged"], wrong, half
		# merged while closer than a peak width: about 1/4 of the run
		exit !(wrong == 0 && half == 0 && st["fbg0/a" FS "merged"] > 200 &&
		       st["fbg0/a" FS "merged"] < 700 &&
		       st["fbg0/a" FS "ok"] + st["fbg0/a" FS "merged"] == 2000)
	}' "$TMPDIR/truth.tsv" "$TMPDIR/out.tsv"
# at the end they have crossed: a is the longer wavelength, by ~2 nm
tail -n 2 "$TMPDIR/out.tsv" | awk -F'\t' '{ v[$2] = $4 }
	END { exit !(v["fbg0/a"] - v["fbg0/b"] > 1.5) }'

# a broken fibre from spectrum 100 to 199: lost there, ok elsewhere
"$BIN/fbgsim" -N 300 -g 1530 -g 1560 --drop=1:100:199 |
	"$BIN/fbgtrack" -g a:1530 -g b:1560 > "$TMPDIR/drop.tsv" 2>"$TMPDIR/err"
grep -q "300 spectra; 100 lost" "$TMPDIR/err"
awk -F'\t' '$2 == "fbg0/b" { i = $1 / 1e9
	lost = ($6 == "lost" && $4 == "nan")
	if ((i >= 100 && i <= 199) != lost) bad++ }
	END { exit bad > 0 }' "$TMPDIR/drop.tsv"
