# Gratings that land anywhere within +-1.5 nm of their place in every
# spectrum, independently (a slow log, an optical switch): each is found
# in the same spectrum, none lost, every value within 4 of its stated
# uncertainties of the truth (before, 41 % were lost).
set -eu
"$BIN/fbgsim" -N 3000 -g 1530 -g 1560 --jump 1.5 --truth "$TMPDIR/truth.tsv" |
	"$BIN/fbgtrack" -g a:1530 -g b:1560 > "$TMPDIR/out.tsv" 2>"$TMPDIR/err"
awk -F'\t' '
	NR == FNR { if ($2 == "fbg0/g0") ta[$1] = $4; if ($2 == "fbg0/g1") tb[$1] = $4; next }
	FNR == 1 { next }
	{ n++; t = ($2 == "fbg0/a") ? ta[$1] : tb[$1] }
	$4 == "nan" { lost++; next }
	{ e = $4 - t; z2 += (e / $7) ^ 2; if (e < 0) e = -e; if (e > 4 * $7) far++ }
	END {
		printf "%d values, %d lost, %d beyond 4 sigma, err/unc rms %.2f\n",
			n, lost, far, sqrt(z2 / (n - lost))
		exit !(n == 6000 && lost == 0 && far <= 3 &&
		       sqrt(z2 / n) > 0.5 && sqrt(z2 / n) < 1.4)
	}' "$TMPDIR/truth.tsv" "$TMPDIR/out.tsv"

# an asymmetric grating: flagged misfit once its noise is known, and its
# uncertainty covers the distance to its maximum (the generator's centre)
"$BIN/fbgsim" -N 3000 -g 1550 --shape asymmetric --asymmetry 0.6 \
	--ramp 0.017 --source 60000 --truth "$TMPDIR/truth.tsv" |
	"$BIN/fbgtrack" -g a:1550 > "$TMPDIR/out.tsv" 2>"$TMPDIR/err"
grep -q "misfit" "$TMPDIR/err"
awk -F'\t' '
	NR == FNR { if ($2 == "fbg0/g0") t[$1] = $4; next }
	FNR == 1 || $1 < 2000e9 { next }
	{ n++; e = $4 - t[$1]; z2 += (e / $7) ^ 2; st[$6]++ }
	END {
		printf "asymmetric: %d ok, %d misfit, err/unc rms %.2f\n",
			st["ok"], st["misfit"], sqrt(z2 / n)
		exit !(st["misfit"] > 0 && sqrt(z2 / n) < 1.4)
	}' "$TMPDIR/truth.tsv" "$TMPDIR/out.tsv"
