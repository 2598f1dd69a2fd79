# fbgtrack, refmon, ustof and aehits: -u and -d without a device: what goes
# with them and what does not (exit 2), a context that cannot be reached
# and a URI that is not one (exit 1), each named. Reading a real device,
# locally and through iiod, is tests/vm/remote.sh (fbgtrack) and
# tests/vm/guest/us-stream.sh (ustof and aehits, and a missing device).
set -eu
. "$SRC/tests/tools/common/expect.sh"
expect 2 "-d fbg0 and input file x.bin: one or the other" \
	"$BIN/fbgtrack" -d fbg0 -g a:1530 x.bin
expect 2 "-u ip:rig7 without -d: which device?" \
	"$BIN/fbgtrack" -u ip:rig7 -g a:1530
expect 2 "--scans is for -d" "$BIN/fbgtrack" --scans 10 -g a:1530
expect 2 "-n, -f, --block, -T and -I come from the device" \
	"$BIN/fbgtrack" -d fbg0 -n 512 -g a:1530
expect 2 "scans: 0 is out of range" "$BIN/fbgtrack" -d fbg0 --scans 0 -g a:1530
expect 1 "cannot reach the IIO context 'ip:127.0.0.1:1': Connection refused" \
	"$BIN/fbgtrack" -u ip:127.0.0.1:1 -d fbg0 -g a:1530
expect 1 "URI 'ip:': no host after ip:" \
	"$BIN/fbgtrack" -u ip: -d fbg0 -g a:1530
expect 1 "URI 'ip:rig7:99999': port is not a number 1..65535" \
	"$BIN/fbgtrack" -u ip:rig7:99999 -d fbg0 -g a:1530
# a config file may name the device too
printf 'device = fbg0\nuri = ip:127.0.0.1:1\ngrating = a:1530\n' >"$TMPDIR/rig.conf"
expect 1 "cannot reach the IIO context 'ip:127.0.0.1:1'" \
	"$BIN/fbgtrack" -c "$TMPDIR/rig.conf"

# refmon takes the same -u, -d and --scans
expect 2 "-d re0: -f, -S, -r, -T and -i come from the device" \
	"$BIN/refmon" -d re0 -r 1000
expect 2 "-u ip:rig7 without -d: which device?" "$BIN/refmon" -u ip:rig7
expect 2 "--scans is for -d" "$BIN/refmon" --scans 5
expect 1 "cannot reach the IIO context 'ip:127.0.0.1:1'" \
	"$BIN/refmon" -u ip:127.0.0.1:1 -d re0

# ustof and aehits read the ultrasonic board the same way
expect 2 "-d us0 and input file x.bin: one or the other" \
	"$BIN/ustof" -d us0 -p p.raw -g back:7:13 x.bin
expect 2 "-u ip:rig7 without -d: which device?" \
	"$BIN/ustof" -u ip:rig7 -p p.raw -g back:7:13
expect 2 "--scans is for -d" "$BIN/ustof" --scans 5 -p p.raw -g back:7:13
for opt in "-n 1024" "-f le:s16" "-F 20000000" "-H" "-T" "--block 128"; do
	expect 2 "-n, -f, -F, -H, -T and --block come from the device" \
		"$BIN/ustof" -d us0 $opt -p p.raw -g back:7:13
done
expect 2 "--times: the records' times come from the device" \
	"$BIN/ustof" -d us0 --times t.txt -p p.raw -g back:7:13
expect 2 "scans: 0 is out of range" \
	"$BIN/ustof" -d us0 --scans 0 -p p.raw -g back:7:13
expect 1 "cannot reach the IIO context 'ip:127.0.0.1:1': Connection refused" \
	"$BIN/ustof" -u ip:127.0.0.1:1 -d us0 -p p.raw -g back:7:13
expect 1 "URI 'ip:': no host after ip:" \
	"$BIN/ustof" -u ip: -d us0 -p p.raw -g back:7:13

expect 2 "-d us0 and input file x.bin: one or the other" \
	"$BIN/aehits" -d us0 x.bin
expect 2 "-u ip:rig7 without -d: which device?" "$BIN/aehits" -u ip:rig7
expect 2 "--scans is for -d" "$BIN/aehits" --scans 5
for opt in "-n 4096" "-f le:s16" "-F 625000" "-H" "-T" "--block 128"; do
	expect 2 "-n, -f, -F, -H, -T and --block come from the device" \
		"$BIN/aehits" -d us0 $opt
done
expect 1 "cannot reach the IIO context 'ip:127.0.0.1:1': Connection refused" \
	"$BIN/aehits" -u ip:127.0.0.1:1 -d us0

# csplot --spectrum -d: a raw spectrum from the device; --waterfall -d the
# ultrasonic board's shots
expect 2 "-d fbg0: a device gives raw scans: --spectrum or --waterfall" \
	"$BIN/csplot" -d fbg0 -o x.svg
expect 2 "-u ip:rig7 without -d: which device?" \
	"$BIN/csplot" --spectrum -u ip:rig7 -o x.svg
expect 2 "-d fbg0 and input file x.bin: one or the other" \
	"$BIN/csplot" --spectrum -d fbg0 -o x.svg x.bin
for opt in "-n 512" "-f le:u16" "-T" "--block 128" "--rate 100"; do
	expect 2 "-n, -f, -F, -H, -T, --block and --rate come from the device" \
		"$BIN/csplot" --spectrum -d fbg0 $opt -o x.svg
done
expect 1 "cannot reach the IIO context 'ip:127.0.0.1:1'" \
	"$BIN/csplot" --spectrum -u ip:127.0.0.1:1 -d fbg0 -o x.svg
for opt in "-n 1024" "-F 40000000" "-H" "-T"; do
	expect 2 "-n, -f, -F, -H, -T, --block and --rate come from the device" \
		"$BIN/csplot" --waterfall -d us0 $opt -o x.svg
done
expect 2 "--scans is for --waterfall -d" "$BIN/csplot" --waterfall --scans 10 -o x.svg
expect 2 "--scans is for --waterfall -d" "$BIN/csplot" --spectrum -d fbg0 --scans 10 -o x.svg
expect 2 "scans: 0 is out of range" "$BIN/csplot" --waterfall -d us0 --scans 0 -o x.svg
expect 1 "cannot reach the IIO context 'ip:127.0.0.1:1'" \
	"$BIN/csplot" --waterfall -u ip:127.0.0.1:1 -d us0 -o x.svg
