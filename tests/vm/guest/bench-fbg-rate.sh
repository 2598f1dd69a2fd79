#!/bin/sh
# bench-fbg-rate.sh - benchmark, not a test (make bench, bench/run.sh):
# the highest rate of 512-pixel spectra that cellsense_fbg and iio_readdev
# sustain in the VM without an overrun, and the kernel CPU time per
# spectrum: the driver's IRQ handler (debugfs fbg_stats irq_ns: STATUS,
# FIFO read over the sim's SPI, push) and the CPU of the thread it runs in
# (schedstat), the sim's generator apart; as a ratio against copying the
# same 1024 bytes through the kernel (dd /dev/zero -> /dev/null).
. /tests/lib.sh

load_cellsense cellsense_sim_fbg >/dev/null || exit 1
load_cellsense cellsense_fbg >/dev/null || exit 1
iio_device fbg-device fbg0 dev || exit 1
mount -t debugfs none /sys/kernel/debug 2>/dev/null || true
stats=$(ls /sys/kernel/debug/iio/iio:device*/fbg_stats | head -n 1)
stat() { sed -n "s/^$1 //p" "$stats"; }
tpid() { for p in /proc/[0-9]*; do [ "$(cat $p/comm 2>/dev/null)" = "$1" ] && basename $p; done | head -n 1; }
irqpid=$(tpid simbus-irq)
simpid=$(tpid simbus-fbg)
[ -n "$irqpid" ] && [ -n "$simpid" ] || { fail threads "no simbus-irq/simbus-fbg thread"; exit 1; }
cpu() { cut -d' ' -f1 "/proc/$1/schedstat"; }
up() { awk '{ printf "%d\n", $1 * 100 }' /proc/uptime; }	# centiseconds

best=0
echo "rate/s  spectra  bytes-ok  overruns  irq-ns/spectrum  irq-thread-ns/spectrum  sim-ns/spectrum"
for rate in 200 500 1000 1500 2000 2500 3000 4000 5000; do
	echo "$rate" >"$dev/sampling_frequency"
	n=$((rate * 2))
	b=$((rate / 20)); [ $b -lt 16 ] && b=16
	o0=$(cat "$dev/overrun_count"); s0=$(stat spectra); i0=$(stat irq_ns)
	c0=$(cpu "$irqpid"); g0=$(cpu "$simpid")
	timeout 60 iio_readdev -b $b -s $n fbg0 intensity0 intensity1 intensity2 intensity3 >/tmp/r.bin 2>/dev/null
	got=$(wc -c </tmp/r.bin)
	o1=$(cat "$dev/overrun_count"); s1=$(stat spectra); i1=$(stat irq_ns)
	c1=$(cpu "$irqpid"); g1=$(cpu "$simpid")
	ds=$((s1 - s0)); [ $ds -gt 0 ] || ds=1
	ok=no; [ "$got" -eq $((n * 1024)) ] && ok=yes
	echo "$rate  $ds  $ok  $((o1 - o0))  $(((i1 - i0) / ds))  $(((c1 - c0) / ds))  $(((g1 - g0) / ds))"
	if [ $ok = yes ] && [ "$o1" -eq "$o0" ]; then
		best=$rate
		irq_best=$(((i1 - i0) / ds)); thr_best=$(((c1 - c0) / ds))
	else
		break
	fi
done
echo 100 >"$dev/sampling_frequency"

# Baseline: the same 1024 bytes a spectrum copied through the kernel
cnt=200000
t0=$(up)
dd if=/dev/zero of=/dev/null bs=1024 count=$cnt 2>/dev/null
t1=$(up)
dd_ns=$(((t1 - t0) * 10000000 / cnt)); [ $dd_ns -gt 0 ] || dd_ns=1

echo "RESULT fbg max_rate_no_overrun ${best}/s (512 px, iio_readdev, TCG)"
echo "RESULT fbg kernel irq_ns_per_spectrum ${irq_best:-0} at ${best}/s (driver IRQ handler incl. the sim's SPI answer)"
echo "RESULT fbg kernel thread_ns_per_spectrum ${thr_best:-0} at ${best}/s (schedstat of the IRQ thread)"
echo "RESULT baseline dd_1024B_copy_ns $dd_ns"
echo "RESULT ratio irq/dd $(awk -v a="${irq_best:-0}" -v b="$dd_ns" 'BEGIN { printf "%.1f", a / b }')"
expect_ge bench-some-rate 200 "$best"
