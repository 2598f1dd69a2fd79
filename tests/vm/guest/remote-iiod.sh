#!/bin/sh
# remote-iiod.sh - the guest half of tests/vm/remote.sh (run that, not this):
# fbgtrack reading the simulated FBG board through libiio here (-d alone:
# layout, scale and rate from the device), a device that does not exist,
# one that vanishes mid-stream; then Debian's iiod serving the board to
# the host, which reads it with -u ip:127.0.0.1:PORT and compares with the
# records sent from here. The host steers through port 5555: "unbind",
# "bind", "done".
. /tests/lib.sh

N=$(cmdline_arg scans 1000)
DRV=/sys/bus/spi/drivers/cellsense-fbg

load_cellsense cellsense_sim_fbg || exit 1
load_cellsense cellsense_fbg || exit 1
load_cellsense cellsense_sim_re || exit 1
load_cellsense cellsense_re || exit 1
iio_device fbg-device fbg0 dev || exit 1
spidev=$(basename "$(readlink -f "$dev/..")")
# faster than the default 100/s, so that the records/s say what each end
# keeps up with (the same setting for the local and the remote read)
check set-rate sh -c "echo $(cmdline_arg rate 500) >$dev/sampling_frequency" || exit 1
rate=$(cat "$dev/sampling_frequency")

# --- local, through libiio: nothing but -d and a grating ------------------
t0=$(cut -d' ' -f1 /proc/uptime)
check local-read sh -c "fbgtrack -d fbg0 -g g1:1530 --scans $N \
	>/tmp/local.tsv 2>/tmp/local.err"
t1=$(cut -d' ' -f1 /proc/uptime)
cat /tmp/local.err
expect_eq local-records "$N" "$(grep -c '	fbg0/g1	wavelength	' /tmp/local.tsv)"
# the tracker may flag a rare spectrum misfit from noise alone
expect_ge local-ok $((N * 99 / 100)) "$(grep -c '	nm	ok	' /tmp/local.tsv)"
expect_match local-layout-said \
	'fbg0 on local:: 512 pixels le:u16/16>>0 in blocks of 128, tag, timestamp, 1536 bytes a scan' \
	"$(cat /tmp/local.err)"
# the records for the host to compare with, and the rate
sed 's/^/REC /' /tmp/local.tsv >"$CELLSENSE_RESULTS"
echo "RATE local $N $t0 $t1 $rate" | tee "$CELLSENSE_RESULTS"

# --- refmon through libiio, against iio_readdev | refmon with the options
# the device gives: the same kinds of records (sources, quantities) ---------
iio_device re-device re0 redev || exit 1
# the rate re-pipeline.sh uses: TCG keeps up with it (at 1000/s it loses
# scans), and 1000 scans are 4 s, 40 records a channel at 10 a second
check re-rate sh -c "echo 251.968503 >$redev/sampling_frequency" || exit 1
RN=1000
S=$(for c in voltage0 voltage1 voltage2 current3; do cat "$redev/in_${c}_scale"; done | paste -sd,)
RR=$(cat "$redev/sampling_frequency")
check re-local-read sh -c "refmon -d re0 --scans $RN >/tmp/re-dev.tsv 2>/tmp/re-dev.err"
cat /tmp/re-dev.err
timeout 60 iio_readdev -b 25 -s $RN re0 voltage0 voltage1 voltage2 current3 \
	timestamp 2>/dev/null | refmon -T -r "$RR" -S "$S" >/tmp/re-pipe.tsv 2>/tmp/re-pipe.err
cat /tmp/re-pipe.err
expect_match re-layout-said 're0 on local:: le:s24/32>>0 voltage0 voltage1 voltage2 current3, scales .* \(V, A per LSB\), timestamp, 24 bytes a scan' \
	"$(cat /tmp/re-dev.err)"
expect_ge re-records 40 "$(grep -c '	re0/' /tmp/re-dev.tsv)"
expect_ge re-pipe-records 40 "$(grep -c '	re0/' /tmp/re-pipe.tsv)"
kinds() { awk -F'\t' 'NR > 1 { print $2, $3, $5 }' "$1" | sort -u | paste -sd' '; }
expect_eq re-kinds-as-pipe "$(kinds /tmp/re-pipe.tsv)" "$(kinds /tmp/re-dev.tsv)"
echo "RECOUNT $RN $(grep -c '	re0/' /tmp/re-dev.tsv)" | tee "$CELLSENSE_RESULTS"

# --- a device that is not there: what there is, exit 1 -------------------
rc=0
fbgtrack -d fbg9 -g g1:1530 >/dev/null 2>/tmp/nf.err || rc=$?
cat /tmp/nf.err
expect_eq notfound-exit 1 "$rc"
expect_match notfound-lists "no device 'fbg9' in local: \(it has: .*fbg0 \[fbg-interrogator\]" \
	"$(cat /tmp/nf.err)"

# --- the device vanishes mid-stream: said, counted, exit 1 ----------------
fbgtrack -d fbg0 -g g1:1530 >/tmp/van.tsv 2>/tmp/van.err &
bg=$!
wait_for van-streaming 20 sh -c "[ \$(grep -c fbg0/g1 /tmp/van.tsv) -ge 20 ]" ||
	exit 1
check van-unbind sh -c "echo $spidev >$DRV/unbind"
rc=0
wait $bg || rc=$?
cat /tmp/van.err
expect_eq van-exit 1 "$rc"
expect_match van-said 'fbg0 on local:: refilling the buffer failed after [0-9]+ scans' \
	"$(cat /tmp/van.err)"
expect_match van-counted 'spectra read before that' "$(cat /tmp/van.err)"
check van-bind sh -c "echo $spidev >$DRV/bind"
iio_device fbg-back fbg0 dev || exit 1
check rate-again sh -c "echo $rate >$dev/sampling_frequency" || exit 1

# --- the ultrasonic board for the host's csplot --waterfall -d: its
# continuous (acoustic-emission) stream needs no trigger ---------------------
load_cellsense cellsense_sim_us || exit 1
load_cellsense cellsense_us || exit 1
iio_device us-device us0 usdev || exit 1
check us-continuous sh -c "echo continuous >$usdev/mode && \
	echo 625000 >$usdev/sampling_frequency && echo 4096 >$usdev/record_length" || exit 1
echo 20 >/sys/devices/platform/cellsense-sim/us/ae_rate_hz

# --- iiod for the host ------------------------------------------------------
net_up || exit 1
iiod -p 30431 >/tmp/iiod.log 2>&1 &
iiod_pid=$!
wait_for iiod-up 20 iio_attr -u ip:127.0.0.1 -d fbg0 sampling_frequency || exit 1
pass iiod-up
echo "IIOD-READY" >"$CELLSENSE_RESULTS"
# steered by the host until it says done (nc -l ends with each connection)
done_seen=0
while cmd=$(timeout 600 nc -l -p 5555); do
	echo "host says: $cmd"
	case $cmd in
	unbind) echo "$spidev" >"$DRV/unbind" ;;
	bind) echo "$spidev" >"$DRV/bind" ;;
	done) done_seen=1; break ;;
	esac
	echo "ACK $cmd" >"$CELLSENSE_RESULTS"
done
expect_eq host-done 1 "$done_seen"
kill "$iiod_pid"
wait "$iiod_pid" || true
cat /tmp/iiod.log
