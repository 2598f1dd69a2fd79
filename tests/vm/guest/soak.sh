#!/bin/sh
# soak.sh - `make soak`, not part of make check: every front-end through
# the whole pipeline to vcan0 for minutes (cellsense.soak_minutes, default
# 5), three pipelines at once:
#   fbg: iio_readdev fbg0 | fbgtrack -I -T | sense2can
#   us:  usacq (shots on the GPIO trigger) | ustof -H -T | sense2can
#   re:  iio_readdev re0 | refmon -T | sense2can
# while, in turn: settings change (fibre switch, sim temperature and
# current, receiver gain; time bases refused while streaming), vcan0 goes
# down and up, one stage is stopped (SIGSTOP) and let go, a board resets.
# Every second each process's RSS and open fds are sampled; every frame
# sent is logged (sense2can -l). At the end: RSS flat (first quarter
# against last), fds constant, the frame timing the same in the first and
# last quarter with no gap that no injected fault explains, and every gap
# counted: what the tools say was missing adds up to what the drivers
# counted and to what was injected. The figures go to the results port
# as "SOAK ..." lines (make soak prints them).
. /tests/lib.sh

MIN=$(cmdline_arg soak_minutes 5)
DUR=$(awk -v m="$MIN" 'BEGIN { printf "%d", m * 60 }')
NEV=10				# kinds of event in one round, below
EVERY=$(cmdline_arg soak_every $((DUR / (2 * NEV) > 3 ? DUR / (2 * NEV) : 3)))
STALL=2				# seconds a stage stays stopped
DOWN=1				# seconds vcan0 stays down
RSS_MAX_KB=256			# RSS growth allowed, first to last quarter

SF=/sys/devices/platform/cellsense-sim/fbg
SU=/sys/devices/platform/cellsense-sim/us
SR=/sys/devices/platform/cellsense-sim/re

say() { echo "SOAK $*"; echo "SOAK $*" >"$CELLSENSE_RESULTS" 2>/dev/null || true; }
num() { _cs_isnum "$1" && echo "$1" || echo 0; }

# Transparent huge pages off: khugepaged folds a sparse region into a 2 MB
# page whenever it gets round to it, and the RSS then jumps by 2044 kB with
# nothing allocated (seen: an idle sense2can, at a random second).
echo never >/sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null ||
	echo "note: no transparent_hugepage knob"
load_cellsense || exit 1
mount -t debugfs none /sys/kernel/debug 2>/dev/null || true
iio_device fbg-device fbg0 fdev || exit 1
iio_device us-device us0 udev || exit 1
iio_device re-device re0 rdev || exit 1
fdbg=/sys/kernel/debug/iio/$(basename "$fdev")/fbg_stats
udbg=/sys/kernel/debug/iio/$(basename "$udev")/us_stats
rdbg=/sys/kernel/debug/iio/$(basename "$rdev")/re_stats
stat_of() { sed -n "s/^$2 //p" "$1"; }	# FILE NAME: a debugfs counter
check vcan-add ip link add dev vcan0 type vcan || exit 1
check vcan-up ip link set vcan0 up || exit 1

# --- the front-ends' settings ------------------------------------------------
# 20 spectra/s: under TCG on a busy host a faster fibre pipeline starves
# the reference electrode's sim, which then slips (see below)
check fbg-rate sh -c "echo 20 >$fdev/sampling_frequency" || exit 1
check fbg-fibres sh -c "echo 0 >$fdev/fibres" || exit 1
echo 25000 >"$SF/temperature_mdegc"
coeffs=$(tr ' ' ',' <"$fdev/in_intensity_wavelength_coeffs")
# gratings g0..g3 on fibre 0, g4..g7 on fibre 1, where the sim has them
gr=$(for f in 0 1; do tr ' ' '\n' <"$SF/fibre$f/bragg_pm" | grep . |
	awk -v f="$f" '{ printf "-g g%d:%.1f::%d ", (NR - 1) + 4 * f, $1 / 1000, f }'; done)
echo "gratings: $gr"

ussim -F 20000000 --f0 5000000 --bandwidth 0.6 --pulse-out pulse -N 0 >/dev/null
echo 500 >"$SU/soc_permille"
echo 0 >"$SU/ae_rate_hz"
check us-gain sh -c "echo 20 >$udev/in_voltage_hardwaregain" || exit 1

check re-rate sh -c "echo 251.968503 >$rdev/sampling_frequency" || exit 1
S=$(for c in voltage0 voltage1 voltage2 current3; do cat "$rdev/in_${c}_scale"; done | paste -sd,)
echo 25000 >"$SR/temperature_mdegc"
echo 1000 >"$SR/current_ma"

# counters before
f_res0=$(cat "$fdev/board_resets"); f_ovr0=$(cat "$fdev/overrun_count")
f_rl0=$(stat_of "$fdbg" reset_lost)
u_res0=$(cat "$udev/board_resets"); u_rl0=$(stat_of "$udbg" reset_lost)
u_disc0=$(cat "$SU/reset_discarded")
r_res0=$(cat "$rdev/board_resets")

# --- the pipelines, one process a stage (fifos between them, for the pids) --
# The readers wait for data without a time limit (-T 0): a busy host can
# stop the whole guest for many seconds (seen: 48 s), and iio_readdev's
# default gives up after a few.
mkfifo fbg.raw fbg.rec us.raw us.rec re.raw re.rec
iio_readdev -T 0 -b 5 fbg0 intensity0 intensity1 intensity2 intensity3 index \
	timestamp >fbg.raw 2>fbg-rd.err &
fbg_rd=$!
# shellcheck disable=SC2086
fbgtrack -I -T -w "$coeffs" $gr -r 20 -v <fbg.raw >fbg.rec 2>fbg-track.err &
fbg_tr=$!
sense2can -S 1000 -l fbg-can.log vcan0 <fbg.rec 2>fbg-s2c.err &
fbg_gw=$!
usacq -N 100000000 -r 10 -t 1000 >us.raw 2>us-acq.err &
us_rd=$!
ustof -n 1024 -H -T -p pulse -g t0:0.5:3 -g t1:7:13 -q tof -v <us.raw \
	>us.rec 2>us-tof.err &
us_tr=$!
sense2can -S 1000 -l us-can.log vcan0 <us.rec 2>us-s2c.err &
us_gw=$!
# the scans also to a file (tee): their timestamps show where the sim
# slipped (under TCG it makes no conversion while it runs late)
iio_readdev -T 0 -b 25 re0 voltage0 voltage1 voltage2 current3 timestamp \
	2>re-rd.err | tee re.bin >re.raw &
re_tee=$!
# a short mains filter (a wide transition band): it starts again after
# every gap of 4 conversions, and a long one would then rarely fill
refmon -T -r 251.968503 -S "$S" --stop 80 --atten 40 --hold 0.5 -v <re.raw >re.rec 2>re-mon.err &
re_tr=$!
sense2can -S 1000 -l re-can.log vcan0 <re.rec 2>re-s2c.err &
re_gw=$!

for p in fbg us re; do
	wait_for "$p-frames" 90 test -s "$p-can.log" || exit 1
done
re_rd=$(pidof iio_readdev | tr ' ' '\n' | grep -vx "$fbg_rd")
expect_eq one-re-reader 1 "$(echo "$re_rd" | grep -c .)"
PROCS="fbg:iio_readdev:$fbg_rd fbg:fbgtrack:$fbg_tr fbg:sense2can:$fbg_gw
us:usacq:$us_rd us:ustof:$us_tr us:sense2can:$us_gw
re:iio_readdev:$re_rd re:refmon:$re_tr re:sense2can:$re_gw"
# conversions the sim made from here to the stop, against what reached refmon
r_conv0=$(cut -d' ' -f1 "$SR/stats")
r_over0=$(cut -d' ' -f5 "$SR/stats")
r_stale0=$(cut -d' ' -f6 "$SR/stats")
r_read0=$(($(wc -c <re.bin) / 24))
r_ovr0=$(cat "$rdev/overrun_count")
r_rl0=$(stat_of "$rdbg" reset_lost)
r_sf0=$(stat_of "$rdbg" stale_frames)
pass pipelines-running

# --- sampling: each process's RSS and fds, the kernel's slab, every second --
sampler() {
	while [ ! -e sampler.stop ]; do
		t=$(date +%s)
		for p in $PROCS; do
			pid=${p##*:}
			# RssAnon: the process's own memory, what a leak
			# grows (VmRSS adds library pages touched late)
			rss=$(sed -n 's/^RssAnon:[^0-9]*\([0-9]*\) kB/\1/p' "/proc/$pid/status" 2>/dev/null)
			vm=$(sed -n 's/^VmRSS:[^0-9]*\([0-9]*\) kB/\1/p' "/proc/$pid/status" 2>/dev/null)
			fds=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
			echo "$t ${p%:*} ${rss:-gone} $fds ${vm:-0}"
		done
		sl=$(sed -n 's/^Slab:[^0-9]*\([0-9]*\) kB/\1/p' /proc/meminfo)
		echo "$t kernel:slab $sl 0 $sl"
		sleep 1		# the sampling period, not a synchronisation
	done >samples.txt
}
sampler &
smp=$!
# A heartbeat: /proc/uptime (10 ms steps) four times a second, put on the
# frame logs' clock (realtime) by an offset taken where `date +%s` ticks.
# A step of 1 s or more means the guest did not run for that long (the
# host busy: seen on a 2-core host at a load of 17); a frame gap inside
# one is the machine's, not a pipeline's, and is counted as such.
up() { cut -d' ' -f1 /proc/uptime; }
s0=$(date +%s)
while [ "$(date +%s)" = "$s0" ]; do :; done
rt_off=$(awk -v s=$((s0 + 1)) -v u="$(up)" 'BEGIN { printf "%.2f", s - u }')
heartbeat() {
	while [ ! -e sampler.stop ]; do
		up
		usleep 250000	# the beat, not a synchronisation
	done >beats.txt
}
heartbeat &
hb=$!

# --- the faults, in turn, paced by EVERY seconds ------------------------------
# events.txt: START END SCOPE NAME (seconds, realtime like the frame logs)
ev() { echo "$1 $(date +%s) $2 $3" >>events.txt; }
n_bounce=0; n_fres=0; n_ures=0; n_rres=0; n_refused=0; n_settings=0
n_stall=0
pid_of() { for p in $PROCS; do [ "${p%:*}" = "$1" ] && echo "${p##*:}"; done; }
bounces() { grep -c "vcan0: $1" "$2" 2>/dev/null || true; }

bounce() {
	t=$(date +%s)
	ip link set vcan0 down || fail bounce-down "ip link set vcan0 down"
	for p in fbg us re; do
		wait_for "down-seen-$p" 10 sh -c "[ \$(grep -c 'vcan0: down' $p-s2c.err) -ge $((n_bounce + 1)) ]"
	done
	sleep $DOWN		# the outage itself
	ip link set vcan0 up || fail bounce-up "ip link set vcan0 up"
	for p in fbg us re; do
		wait_for "up-seen-$p" 10 sh -c "[ \$(grep -c 'vcan0: up again' $p-s2c.err) -ge $((n_bounce + 1)) ]"
	done
	n_bounce=$((n_bounce + 1))
	ev "$t" all bounce
}
stall() { # SCOPE STAGE
	t=$(date +%s)
	pid=$(pid_of "$1:$2")
	kill -STOP "$pid"
	sleep $STALL		# the stall itself
	kill -CONT "$pid"
	n_stall=$((n_stall + 1))
	ev "$t" "$1" "stall-$2"
}
reset() { # SCOPE DEV SIM
	t=$(date +%s)
	r=$(cat "$2/board_resets")
	echo 1 >"$3/reset"
	wait_for "$1-reset-recovered" 10 sh -c "[ \$(cat $2/board_resets) -gt $r ]"
	ev "$t" "$1" reset
}
settings() { # ROUND
	t=$(date +%s)
	if [ $(($1 % 2)) = 0 ]; then
		fib="0 1"; temp=35000; gain=30; cur=3000
	else
		fib=0; temp=25000; gain=20; cur=1000
	fi
	echo "$fib" >"$fdev/fibres" || fail fibres-live "fibres '$fib' refused while streaming"
	echo "$temp" >"$SF/temperature_mdegc"
	echo "$gain" >"$udev/in_voltage_hardwaregain" || fail gain-live "gain $gain refused while streaming"
	echo "$cur" >"$SR/current_ma"
	echo "$temp" >"$SR/temperature_mdegc"
	# the time bases are not changed under a running stream: refused
	if echo 100 >"$fdev/sampling_frequency" 2>/dev/null; then
		fail fbg-rate-busy "sampling_frequency accepted while streaming"
	else n_refused=$((n_refused + 1)); fi
	if echo 1000 >"$rdev/sampling_frequency" 2>/dev/null; then
		fail re-rate-busy "sampling_frequency accepted while streaming"
	else n_refused=$((n_refused + 1)); fi
	n_settings=$((n_settings + 1))
	ev "$t" none settings
}

t_start=$(date +%s)
t_stop=$((t_start + DUR))
i=0
gwround=0
while [ "$(date +%s)" -lt "$t_stop" ]; do
	sleep "$EVERY"		# the pace of the faults
	case $((i % NEV)) in
	0) settings $((i / NEV)) ;;
	1) bounce ;;
	2) stall fbg fbgtrack ;;
	3) reset fbg "$fdev" "$SF"; n_fres=$((n_fres + 1)) ;;
	4) stall us ustof ;;
	5) reset us "$udev" "$SU"; n_ures=$((n_ures + 1)) ;;
	6) stall re refmon ;;
	7) reset re "$rdev" "$SR"; n_rres=$((n_rres + 1)) ;;
	8)	set -- fbg us re
		shift $((gwround % 3)); gwround=$((gwround + 1))
		stall "$1" sense2can ;;
	9) stall re iio_readdev ;;
	esac
	i=$((i + 1))
done
sleep "$EVERY"			# a quiet stretch before the end
touch sampler.stop
wait "$smp"
wait "$hb"
awk -v o="$rt_off" 'NR > 1 && $1 - p >= 1 { printf "%.2f %.2f\n", p + o, $1 + o } { p = $1 }' beats.txt >stalls.txt
stalls="guest stalls (no heartbeat for 1 s or more): $(grep -c . stalls.txt), $(awk '{ s += $2 - $1 } END { print s + 0 }' stalls.txt) s in all"

# --- the end: the sources stop, every stage drains and exits ------------------
r_conv1=$(cut -d' ' -f1 "$SR/stats")
r_over1=$(cut -d' ' -f5 "$SR/stats")
r_stale1=$(cut -d' ' -f6 "$SR/stats")
kill -TERM "$fbg_rd" "$us_rd" "$re_rd"
for p in $PROCS; do
	pid=${p##*:}
	wait_for "exit-${p%:*}" 30 sh -c "! kill -0 $pid 2>/dev/null" || kill -KILL "$pid"
done
rcs=""
for p in $PROCS; do
	rc=0
	wait "${p##*:}" || rc=$?
	rcs="$rcs ${p%:*}=$rc"
done
wait "$re_tee" || true
echo "exit status:$rcs"
for f in *.err; do echo "--- $f"; grep -v 'status: sent' "$f" | tail -n 12; done

# --- memory and descriptors ---------------------------------------------------
say "soak ${MIN} min ($(($(date +%s) - t_start)) s), events every ${EVERY} s: $n_settings settings, $n_bounce vcan0 bounces, $n_stall stalls, resets fbg $n_fres us $n_ures re $n_rres"
say "$stalls"
say ""
say "$(printf '%-18s %9s %9s %8s %17s %7s %4s' process 'anon Q1' 'anon Q4' growth 'VmRSS Q1 -> Q4' fds n)"
mem=$(awk '$3 != "gone" { n[$2]++; r[$2, n[$2]] = $3; f[$2, n[$2]] = $4; v[$2, n[$2]] = $5 }
	END {
		for (k in n) {
			q = int(n[k] / 4); if (q < 1) q = 1
			a = b = va = vb = 0
			for (i = 1; i <= q; i++) { a += r[k, i]; b += r[k, n[k] - q + i]; va += v[k, i]; vb += v[k, n[k] - q + i] }
			lo = hi = f[k, 1]
			for (i = 1; i <= n[k]; i++) { if (f[k, i] < lo) lo = f[k, i]; if (f[k, i] > hi) hi = f[k, i] }
			printf "%s %d %d %d %d %d %d %d %d\n", k, a / q, b / q, b / q - a / q, lo, hi, n[k], va / q, vb / q
		}
	}' samples.txt | sort)
echo "$mem" >mem.txt
while read -r k a b g lo hi n va vb; do
	fd=$lo; [ "$lo" = "$hi" ] || fd="$lo..$hi"
	[ "$k" = kernel:slab ] && fd="-"
	say "$(printf '%-18s %6s kB %6s kB %5s kB %6s -> %6s kB %7s %4s' "$k" "$a" "$b" "$g" "$va" "$vb" "$fd" "$n")"
done <mem.txt
while read -r k a b g lo hi n va vb; do
	[ "$k" = kernel:slab ] && continue	# shown, not judged: the kernel's own caches move
	expect_le "rss-flat-$k" "$RSS_MAX_KB" "$g"
	expect_eq "fds-constant-$k" "$lo" "$hi"
done <mem.txt
expect_eq all-sampled 9 "$(echo "$mem" | grep -vc kernel:slab)"

# --- frame timing -------------------------------------------------------------
# log lines "(SEC.USEC) vcan0 ID#DATA": the intervals, the median in the
# first and last quarter, and the gaps above max(1 s, 10 medians) not inside
# an event window of their pipeline [start - 1, end + 2]. The re pipeline's
# refmon starts its filter again after a gap of 4 conversions, so where
# the sim slips often (TCG on a busy host) it sends nothing for a while:
# such a gap is put down to the sim unless the scans ran unbroken for 1 s
# somewhere inside it (stretches.txt, from the scans' own timestamps).
od -An -v -t d4 -w24 re.bin | awk -v p=0.00396875 '
	{ t = ($6 * 4294967296 + ($5 < 0 ? $5 + 4294967296 : $5)) / 1e9 }
	NR == 1 { a = t }
	NR > 1 && t - l > 4 * p { if (l - a >= 1) printf "%.3f %.3f\n", a, l; a = t }
	{ l = t }
	END { if (l - a >= 1) printf "%.3f %.3f\n", a, l }' >stretches.txt
say ""
say "$(printf '%-8s %7s %8s %8s %8s %8s %11s' pipeline frames 'fps Q1' 'fps Q4' 'p50 Q1' 'p50 Q4' 'max gap')"
for p in fbg us re; do
	tr -d '()' <"$p-can.log" | awk '{ print $1 }' >"$p-times.txt"
	res=$(awk -v p="$p" '
		FILENAME == ARGV[1] { s[++ne] = $1; e[ne] = $2; sc[ne] = $3; next }
		FILENAME == ARGV[2] { ga[++ns] = $1; gb[ns] = $2; next }
		FILENAME == ARGV[3] { ha[++nh] = $1; hb[nh] = $2; next }
		{ t[++n] = $1 }
		function med(a, b,   i, m, k, x, y) {
			m = 0
			for (i = a + 1; i <= b; i++) d[++m] = t[i] - t[i - 1]
			for (i = 2; i <= m; i++) { x = d[i]; k = i - 1; while (k > 0 && d[k] > x) { d[k + 1] = d[k]; k-- } d[k + 1] = x }
			return m ? d[int((m + 1) / 2)] : 0
		}
		END {
			q = int(n / 4)
			span = t[n] - t[1]
			# frames per second in the first and last quarter of the time
			for (i = 1; i <= n; i++) { if (t[i] < t[1] + span / 4) c1++; if (t[i] >= t[n] - span / 4) c4++ }
			m1 = med(1, q); m4 = med(n - q + 1, n)
			lim = 10 * (m1 > m4 ? m1 : m4); if (lim < 1) lim = 1
			for (i = 2; i <= n; i++) {
				g = t[i] - t[i - 1]
				if (g > maxg) maxg = g
				if (g <= lim) continue
				ok = 0
				for (j = 1; j <= ne; j++)
					if ((sc[j] == p || sc[j] == "all") && t[i - 1] >= s[j] - 1 && t[i] <= e[j] + 2) ok = 1
				if (ok) { expl++; continue }
				for (j = 1; j <= nh; j++)
					if (t[i - 1] >= ha[j] - 0.5 && t[i] <= hb[j] + 0.5) ok = 1
				if (ok) { hstall++; continue }
				if (p == "re") {
					ok = 1
					for (j = 1; j <= ns; j++)
						if (ga[j] >= t[i - 1] && gb[j] <= t[i]) ok = 0
					if (ok) { slip++; continue }
				}
				unexpl++; printf "unexplained gap %.3f s at %.3f\n", g, t[i - 1] > "/dev/stderr"
			}
			printf "%d %.1f %.1f %.4f %.4f %.3f %d %d %d %d\n", n, c1 * 4 / span, c4 * 4 / span, m1, m4, maxg, expl, unexpl, slip, hstall
		}' events.txt "$([ $p = re ] && echo stretches.txt || echo /dev/null)" stalls.txt "$p-times.txt")
	set -- $res
	say "$(printf '%-8s %7s %8s %8s %7ss %7ss %9ss   gaps > %s: %s in fault windows, %s guest stalled, %s sim slipping, %s unexplained' "$p" "$1" "$2" "$3" "$4" "$5" "$6" 1s "$7" "${10}" "$9" "$8")"
	expect_eq "no-unexplained-gap-$p" 0 "$8"
	# the median interval in the last quarter within 2x the first's
	expect_eq "timing-flat-$p" 1 "$(awk -v a="$4" -v b="$5" 'BEGIN { print (b <= 2 * a && a <= 2 * b) }')"
	# every frame sense2can says it sent is in its log
	expect_eq "sent-logged-$p" "$1" "$(sed -n 's/.*sense2can: sent \([0-9]*\) frames on.*/\1/p' "$p-s2c.err" | tail -n 1)"
done

# --- every gap counted ----------------------------------------------------------
s2c() { # PIPE FIELD: a figure of sense2can's final summary
	_l=$(grep 'sense2can: sent .* frames on' "$1-s2c.err" | tail -n 1)
	case $2 in
	records) echo "$_l" | sed -n 's/.*; \([0-9]*\) records\{0,1\} read.*/\1/p' ;;
	dropped) echo "$_l" | sed -n 's/.*dropped \([0-9]*\) (interface down) + \([0-9]*\) (queue full) + \([0-9]*\).*/\1 \2 \3/p' | awk '{ print $1 + $2 + $3 }' ;;
	outages) grep 'sense2can: faults:' "$1-s2c.err" | tail -n 1 | sed -n 's/.*faults: \([0-9]*\) outage.*/\1/p' ;;
	esac
}
say ""
say "gaps (what the tools saw / what the drivers and sims counted / injected):"
# fbg: fbgtrack's sequence gaps are the driver's overruns (board + host,
# the host's from the stalls); its restarts the resets; what a reset cost
# is the driver's reset_lost (from the time and rate)
f_missing=$(num "$(sed -n 's/.*: \([0-9]*\) spectra missing before.*/\1/p' fbg-track.err | tail -n 1)")
f_restarts=$(num "$(sed -n 's/.*: \([0-9]*\) board resets (its sequence.*/\1/p' fbg-track.err | tail -n 1)")
f_ovr=$(($(cat "$fdev/overrun_count") - f_ovr0))
f_res=$(($(cat "$fdev/board_resets") - f_res0))
f_rl=$(($(stat_of "$fdbg" reset_lost) - f_rl0))
say "  fbg: fbgtrack $f_missing spectra missing / driver overruns $f_ovr; fbgtrack $f_restarts restarts / board_resets $f_res / injected $n_fres; reset_lost $f_rl spectra"
expect_eq fbg-missing-is-overruns "$f_ovr" "$f_missing"
expect_eq fbg-restarts-seen "$n_fres" "$f_restarts"
expect_eq fbg-resets-counted "$n_fres" "$f_res"
# us: usacq's missing shots are the shots fired into the reset board (the
# driver's reset_lost, a gap in the shot numbers ustof counts) and those in
# the board's FIFO at the reset (the sim's reset_discarded)
u_missing=$(num "$(sed -n 's/.* \([0-9]*\) of [0-9]* shots missing.*/\1/p' us-acq.err | tail -n 1)")
u_tofmiss=$(num "$(sed -n 's/.* \([0-9]*\) shots missing$/\1/p' us-tof.err | tail -n 1)")
u_res=$(($(cat "$udev/board_resets") - u_res0))
u_rl=$(($(stat_of "$udbg" reset_lost) - u_rl0))
u_disc=$(($(cat "$SU/reset_discarded") - u_disc0))
say "  us:  usacq $u_missing shots missing / reset_lost $u_rl + discarded in the FIFO $u_disc; ustof $u_tofmiss missing in the shot numbers / reset_lost $u_rl; board_resets $u_res / injected $n_ures"
expect_eq us-missing-accounted $((u_rl + u_disc)) "$u_missing"
expect_eq us-shot-gaps-are-reset-lost "$u_rl" "$u_tofmiss"
expect_eq us-resets-counted "$n_ures" "$u_res"
# re: refmon finds gaps by the timestamps; the driver counts overruns (the
# stalls) and what the resets cost (from the time and rate)
# (by the timestamps and the nominal rate, so it also counts conversions
# the sim never made while it ran late); against the sim's own count of
# conversions made, what reached refmon and what the driver counted lost
# must add up, less what was in the readers' buffers at the stop
r_missing=$(num "$(sed -n 's/.* \([0-9]*\) gaps (\([0-9]*\) scans missing).*/\2/p' re-mon.err | tail -n 1)")
r_gaps=$(num "$(sed -n 's/.* \([0-9]*\) gaps (\([0-9]*\) scans missing).*/\1/p' re-mon.err | tail -n 1)")
r_scans=$(num "$(sed -n 's/.*: \([0-9]*\) scans, [0-9]* records.*/\1/p' re-mon.err | tail -n 1)")
r_ovr=$(($(cat "$rdev/overrun_count") - r_ovr0))
r_res=$(($(cat "$rdev/board_resets") - r_res0))
r_rl=$(($(stat_of "$rdbg" reset_lost) - r_rl0))
r_conv=$((r_conv1 - r_conv0))
r_read=$(($(wc -c <re.bin) / 24 - r_read0))
r_over=$((r_over1 - r_over0))
r_stale=$((r_stale1 - r_stale0))
r_sf=$(($(stat_of "$rdbg" stale_frames) - r_sf0))
# a frame read on a late DRDY with no new conversion (STATUS.DRDY clear)
# is not pushed: the driver counts it, the sim counts it (with the NULL
# frames of register reads, which carry no scan either)
r_left=$((r_conv - r_read - r_ovr - r_rl - r_over))
say "  re:  sim made $r_conv conversions = $r_read read + driver overruns $r_ovr + reset_lost $r_rl + $r_over overwritten before the driver read them (the sim's count: the ADC has none, the driver cannot know) + $r_left (in flight at the stop); $r_sf frames with no new conversion not pushed (driver's stale_frames; the sim saw $r_stale NULL frames with none); refmon $r_gaps time gaps, $r_missing scans by the clock ($((r_missing - r_ovr - r_rl)) never made: the sim slipping); board_resets $r_res / injected $n_rres"
expect_ge re-nothing-unaccounted -125 "$r_left"
expect_le re-in-flight-at-stop 125 "$r_left"
expect_le re-stale-frames-seen-by-sim "$r_stale" "$r_sf"
# none pushed again as a new scan: four codes (with noise) equal to the
# scan before happen only when a conversion is read twice
r_dups=$(od -An -v -t d4 -w24 re.bin | awk '{ k = $1 " " $2 " " $3 " " $4 }
	NR > 1 && k == p { n++ } { p = k } END { print n + 0 }')
say "  re:  scans repeating the one before: $r_dups"
expect_eq re-no-repeated-scan 0 "$r_dups"
expect_eq re-refmon-read-all "$(($(wc -c <re.bin) / 24))" "$r_scans"
expect_ge re-lost-seen-by-refmon $((r_ovr + r_rl)) "$r_missing"
expect_eq re-resets-counted "$n_rres" "$r_res"
for p in fbg us re; do
	o=$(num "$(s2c $p outages)")
	d=$(num "$(s2c $p dropped)")
	say "  $p sense2can: $(num "$(s2c $p records)") records read, $(wc -l <$p-can.log) frames, $o outages / $n_bounce bounces, $d frames dropped"
	expect_eq "outages-counted-$p" "$n_bounce" "$o"
done
say "  refused while streaming: $n_refused time-base writes (as they must be)"
