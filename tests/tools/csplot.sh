# csplot: records to an SVG through gnuplot. The SVG parses as XML, has a
# plot group and a legend entry per source, a red marker per record that is
# not ok; bad lines are named with their line number; no gnuplot in PATH is
# a clear error.
set -eu
. "$SRC/tests/tools/common/expect.sh"
r=$TMPDIR/r.tsv
printf 'time_ns\tsource\tquantity\tvalue\tunit\tstatus\tuncertainty\n' >"$r"
i=0
while [ $i -lt 20 ]; do
	t=$((1700000000000000000 + i * 250000000))
	s=ok
	[ $i -eq 7 ] && s=lost
	[ $i -eq 12 ] && s=saturated
	v=-0.0$i
	[ $s = lost ] && v=nan
	printf '%s\tre0/anode\tpotential\t%s\tV\t%s\tnan\n' $t $v $s
	printf '%s\tre0/cathode\tpotential\t4.%02d\tV\tok\tnan\n' $t $i
	printf '%s\tfbg0/g0\ttemperature\t2%d.5\tdegC\tok\t0.1\n' $t $((i % 10))
	printf '%s\tfbg0/g1\ttemperature\t3%d.5\tdegC\tok\t0.1\n' $t $((i % 10))
	i=$((i + 1))
done >>"$r"

xml() { python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$1"; }
# the legend's texts, one per line
legend() { grep -o '>[^<>]*</text>' "$1" | sed 's/^>//; s/<\/text>$//'; }
# red point markers (gnuplot's SVG draws points as <use> of a gpPt symbol)
red_markers() { grep -c "<use xlink:href='#gpPt[0-9]*'.*color='rgb(255,   0,   0)'" "$1" || true; }

# every quantity in its panel, from standard input
"$BIN/csplot" -o "$TMPDIR/all.svg" <"$r" 2>"$TMPDIR/e"
xml "$TMPDIR/all.svg"
grep -q '4 sources in 2 panels, 2 not ok' "$TMPDIR/e" || { cat "$TMPDIR/e"; exit 1; }
legend "$TMPDIR/all.svg" >"$TMPDIR/legend"
for s in re0/anode re0/cathode fbg0/g0 fbg0/g1 'not ok (2)' 'potential (V)' \
	 'temperature (degC)' 'time (s)'; do
	[ "$(grep -cxF "$s" "$TMPDIR/legend")" -eq 1 ] ||
		{ echo "legend entry '$s' not once:"; cat "$TMPDIR/legend"; exit 1; }
done
# one plot group per source and one for the not-ok markers
groups=$(grep -c '<g id="gnuplot_plot_[0-9]*[ab]"' "$TMPDIR/all.svg")
[ "$groups" -eq 5 ] || { echo "$groups plot groups, wanted 5"; exit 1; }
# two not-ok records (a lost one without a value, a saturated one): two
# red markers in the picture, plus the one in the legend
n=$(red_markers "$TMPDIR/all.svg")
[ "$n" -eq 3 ] || { echo "$n red markers, wanted 3"; exit 1; }

# -q and -s select; --hline draws a labelled threshold; all ok: no marker
"$BIN/csplot" -o "$TMPDIR/q.svg" -q temperature -s 'fbg0/g1' --hline=30:limit "$r" 2>"$TMPDIR/e"
xml "$TMPDIR/q.svg"
grep -q '1 source in 1 panel, 0 not ok; 60 not matching' "$TMPDIR/e" || { cat "$TMPDIR/e"; exit 1; }
legend "$TMPDIR/q.svg" >"$TMPDIR/legend"
grep -qxF limit "$TMPDIR/legend"
grep -qxF fbg0/g1 "$TMPDIR/legend"
! grep -qxF fbg0/g0 "$TMPDIR/legend"
! grep -qF 'not ok' "$TMPDIR/legend"
[ "$(red_markers "$TMPDIR/q.svg")" -eq 0 ]

# a source with no ok value still has its legend entry; no gnuplot warning
printf 'time_ns\tsource\tquantity\tvalue\tunit\tstatus\n5\tus0/back\ttof\tnan\tns\tlost\n6\tus0/front\ttof\t4\tns\tok\n7\tus0/front\ttof\t5\tns\tok\n' >"$TMPDIR/mix.tsv"
"$BIN/csplot" -o "$TMPDIR/mix.svg" "$TMPDIR/mix.tsv" 2>"$TMPDIR/e"
! grep -q 'no valid points' "$TMPDIR/e" || { cat "$TMPDIR/e"; exit 1; }
legend "$TMPDIR/mix.svg" >"$TMPDIR/legend"
grep -qxF 'us0/back (no value)' "$TMPDIR/legend"
grep -qxF 'not ok (1)' "$TMPDIR/legend"
[ "$(red_markers "$TMPDIR/mix.svg")" -eq 2 ]

# PNG through the same script
"$BIN/csplot" -o "$TMPDIR/p.png" -q potential "$r" 2>/dev/null
head -c 8 "$TMPDIR/p.png" | od -An -c | grep -q 'P   N   G'

# a bad line is named with its line number, the rest still drawn, exit 3
{ cat "$r"; printf '123\tre0/anode\tpotential\tbanana\tV\tok\tnan\n'; } >"$TMPDIR/bad.tsv"
expect 3 "bad.tsv:82:4: .*line skipped" "$BIN/csplot" -o "$TMPDIR/bad.svg" "$TMPDIR/bad.tsv"
grep -q '1 bad line skipped' "$TMPDIR/e"
xml "$TMPDIR/bad.svg"

# no gnuplot: a clear error, exit 1
expect 1 "cannot run gnuplot: not found in PATH" env PATH=/nonexistent "$BIN/csplot" -o "$TMPDIR/x.svg" "$r"
[ ! -e "$TMPDIR/x.svg" ]

# nothing to plot, bad options
expect 1 "no records to plot (80 read, 80 not matching" "$BIN/csplot" -o "$TMPDIR/n.svg" -q tof "$r"
expect 2 "no output given" "$BIN/csplot" "$r"
expect 2 "must end in .svg or .png" "$BIN/csplot" -o "$TMPDIR/x.pdf" "$r"
expect 2 "hline: 'abc' is not a number" "$BIN/csplot" -o "$TMPDIR/x.svg" --hline=abc "$r"
expect 2 "unrecognized option '--frobnicate'" "$BIN/csplot" --frobnicate -o "$TMPDIR/x.svg"
expect 1 "nosuchfile: No such file or directory" "$BIN/csplot" -o "$TMPDIR/x.svg" "$TMPDIR/nosuchfile"
"$BIN/csplot" --help | grep -q '^Usage: csplot'
"$BIN/csplot" --version | grep -q '^csplot (cellsense) '
