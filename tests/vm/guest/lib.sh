# lib.sh - helpers for cellsense guest test scripts (busybox sh).
#
#   . /tests/lib.sh
#   check vcan-up ip link set vcan0 up       # PASS if the command exits 0
#   expect_eq frames 1 "$(wc -l <out)"       # PASS if equal
#   expect_ge bytes 4096 "$(wc -c <raw)"     # PASS if ACTUAL >= MIN
#   pass NAME / fail NAME REASON / skip NAME REASON
#   require CMD... || exit 0                 # after a FAIL: stop this script
#   load_cellsense [MODULE [PARAM=VALUE...]] # modprobe our modules
#   wait_for NAME SECONDS CMD...             # poll CMD until it succeeds
#   run_bg VAR CMD...; wait_bg NAME VAR      # background job, then its status
#   cmdline_arg NAME DEFAULT                 # cellsense.NAME= from the host
#
# Every result is one line on stdout (the console log) and on the results
# port (ttyS1) that tests/vm/run.sh parses: "PASS <name>", "FAIL <name>
# <reason>", "SKIP <name> <reason>". Names are one word; run.sh prefixes
# them with the script's name. A script that exits non-zero fails too (so
# `set -e` is fine), and a script must PASS at least one check.

CELLSENSE_RESULTS=${CELLSENSE_RESULTS:-/dev/null}
_cs_fails=0

_cs_say() {
	echo "$*"
	echo "$*" >"$CELLSENSE_RESULTS" 2>/dev/null || true
}

pass() { _cs_say "PASS $1"; }

fail() {
	_n=$1
	shift
	_cs_fails=$((_cs_fails + 1))
	# one line: the reason must not break the protocol
	_cs_say "FAIL $_n $(echo "$*" | tr '\n\t' '  ' | cut -c1-400)"
	return 0
}

skip() {
	_n=$1
	shift
	_cs_say "SKIP $_n $*"
}

# iproute2's ip (netlink only), not busybox's applet, which this shell runs
# for a bare "ip" whatever PATH says and which asks through an AF_INET
# socket: the debug kernel has no IP
ip() { /usr/bin/ip "$@"; }

# check NAME CMD... : run CMD, PASS if it exits 0, FAIL with its status and
# the tail of its output otherwise. Returns CMD's status: under `set -e` a
# failing check stops the script (after its FAIL line); without it, use
# `check ... || exit 1` where later steps depend on this one.
check() {
	_n=$1
	shift
	_out=$("$@" 2>&1) && _rc=0 || _rc=$?
	if [ "$_rc" -eq 0 ]; then
		pass "$_n"
	else
		echo "$_out" | tail -n 20 | sed "s/^/  [$_n] /"
		fail "$_n" "exit $_rc: $* : $(echo "$_out" | tail -n 3)"
	fi
	return "$_rc"
}

# require CMD... : like check, but for preconditions; no PASS line.
require() {
	_out=$("$@" 2>&1) && _rc=0 || _rc=$?
	[ "$_rc" -eq 0 ] && return 0
	fail require "exit $_rc: $* : $(echo "$_out" | tail -n 3)"
	return "$_rc"
}

expect_eq() { # NAME EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "expected '$2', got '$3'"; return 1; fi
}

expect_ne() { # NAME UNEXPECTED ACTUAL
	if [ "$2" != "$3" ]; then pass "$1"; else fail "$1" "got '$3', which it must not be"; return 1; fi
}

_cs_isnum() { case "$1" in '' | *[!0-9-]*) return 1 ;; *) return 0 ;; esac; }

expect_ge() { # NAME MIN ACTUAL  (integers)
	if _cs_isnum "$2" && _cs_isnum "$3" && [ "$3" -ge "$2" ]; then
		pass "$1"
	else
		fail "$1" "expected >= $2, got '$3'"
		return 1
	fi
}

expect_le() { # NAME MAX ACTUAL  (integers)
	if _cs_isnum "$2" && _cs_isnum "$3" && [ "$3" -le "$2" ]; then
		pass "$1"
	else
		fail "$1" "expected <= $2, got '$3'"
		return 1
	fi
}

expect_match() { # NAME REGEX TEXT  (grep -E)
	if printf '%s\n' "$3" | grep -qE -- "$2"; then
		pass "$1"
	else
		fail "$1" "'$(printf '%s' "$3" | head -c 200)' does not match /$2/"
		return 1
	fi
}

# wait_for NAME SECONDS CMD... : poll CMD (every 50 ms) until it succeeds;
# FAIL NAME on timeout. Use it to wait for a *condition*, never as a delay.
wait_for() {
	_n=$1
	_t=$2
	shift 2
	_i=0
	_max=$((_t * 20))
	while ! "$@" >/dev/null 2>&1; do
		_i=$((_i + 1))
		if [ "$_i" -ge "$_max" ]; then
			fail "$_n" "timed out after ${_t}s waiting for: $*"
			return 1
		fi
		usleep 50000
	done
	return 0
}

# net_up: the NIC that run.sh --hostfwd gives (e1000 on qemu's user-mode
# network, where the guest is 10.0.2.15), and the loopback.
net_up() {
	modprobe e1000 || { fail net-e1000 "modprobe e1000"; return 1; }
	wait_for net-eth0 10 test -e /sys/class/net/eth0 || return 1
	ip link set lo up &&
		ip addr add 10.0.2.15/24 dev eth0 &&
		ip link set eth0 up || { fail net-up "ip: eth0 not up"; return 1; }
}

# iio_dir LABEL: the sysfs directory of the IIO device labelled LABEL.
iio_dir() {
	dirname "$(grep -lx "$1" /sys/bus/iio/devices/iio:device*/label)"
}

# iio_device NAME LABEL VAR: wait (5 s) for the IIO device labelled LABEL
# and put its sysfs directory in $VAR; FAIL NAME on timeout.
iio_device() {
	wait_for "$1" 5 grep -qx "$2" /sys/bus/iio/devices/iio:device*/label ||
		return 1
	_d=$(iio_dir "$2")
	eval "$3=\$_d"
}

# buffer_cycles DEV N: enable and disable DEV's buffer N times; on stdout
# how many of the writes failed.
buffer_cycles() {
	_e=0
	_i=0
	while [ "$_i" -lt "$2" ]; do
		echo 1 >"$1/buffer/enable" || _e=$((_e + 1))
		echo 0 >"$1/buffer/enable" || _e=$((_e + 1))
		_i=$((_i + 1))
	done
	echo "$_e"
}

# run_bg VAR CMD... : start CMD in the background, its pid in $VAR.
# wait_bg NAME VAR  : wait for it; PASS NAME if it exited 0, else FAIL.
run_bg() {
	_v=$1
	shift
	"$@" &
	eval "$_v=\$!"
}

wait_bg() {
	eval "_p=\$$2"
	wait "$_p" && _rc=0 || _rc=$?
	if [ "$_rc" -eq 0 ]; then pass "$1"; else fail "$1" "background job exited $_rc"; fi
	return "$_rc"
}

cmdline_arg() { # NAME DEFAULT: value of cellsense.NAME= from the kernel cmdline
	_v=$(tr ' ' '\n' </proc/cmdline | sed -n "s/^cellsense\.$1=//p" | tail -n 1)
	echo "${_v:-$2}"
}

# Our out-of-tree modules live in /lib/modules/$(uname -r)/extra/cellsense/
# (modules.dep covers them, so modprobe loads their dependencies first).
CELLSENSE_MODDIR=/lib/modules/$(uname -r)/extra/cellsense

# load_cellsense            : load all our modules (sim bus, boards, drivers)
# load_cellsense MOD [P=V...]: load one, with parameters
# PASS/FAIL "load-MOD". Returns non-zero if one failed.
load_cellsense() {
	if [ $# -gt 0 ]; then
		_m=$1
		shift
		check "load-$_m" modprobe "$_m" "$@"
		return
	fi
	_mods=$(cat /etc/cellsense/own-modules 2>/dev/null)
	if [ -z "$_mods" ]; then
		fail load-cellsense "no cellsense modules in the initramfs (build kernel/*.ko first)"
		return 1
	fi
	_st=0
	# the sim first: the drivers' devices sit on its bus
	for _m in $(cellsense_module_order "$_mods"); do
		grep -q "^$(echo "$_m" | tr - _) " /proc/modules && continue
		check "load-$_m" modprobe "$_m" || _st=1
	done
	return "$_st"
}

# kmod_present NAME: the kernel has module NAME, loaded or built in (the
# debug kernel builds Debian's modules in: no /proc/modules line for them)
kmod_present() {
	grep -q "^$(echo "$1" | tr - _) " /proc/modules ||
		grep -q "/$(echo "$1" | tr _ -)\.ko\$\|/$(echo "$1" | tr - _)\.ko\$" \
			"/lib/modules/$(uname -r)/modules.builtin" 2>/dev/null
}

# cellsense_module_order "MODS": the sim bus core (cellsense_simbus), then
# the sim boards (cellsense_sim_*), then the drivers. modprobe would load the
# core for a board anyway (modules.dep); the order matters for rmmod in
# reverse.
cellsense_module_order() {
	echo "$1" | grep simbus || true
	echo "$1" | grep sim | grep -v simbus || true
	echo "$1" | grep -v sim || true
}

have_cellsense_module() { # NAME: is MODULE.ko in the initramfs?
	[ -f "$CELLSENSE_MODDIR/$1.ko" ]
}

# A script that ends with failures recorded exits non-zero, so the harness
# sees it even if a FAIL line were lost.
trap '_cs_rc=$?; [ "$_cs_rc" -eq 0 ] && [ "$_cs_fails" -gt 0 ] && exit 1; exit "$_cs_rc"' EXIT

# e2e_frame ID BYTES: a cansend frame ID#BYTES+CRC, BYTES the first 7 data
# bytes in hex and the CRC the cellsense E2E-8 CRC-8 SAE J1850 (poly 0x1D,
# init and xorout 0xFF) over the data id ID (low byte, then high) and BYTES,
# worked out here independently of the tools.
e2e_frame() {
	_id=$((0x$1))
	_c=255
	for _b in $((_id & 255)) $((_id >> 8)) $(echo "$2" | sed 's/../0x& /g'); do
		_c=$((_c ^ _b))
		for _k in 1 2 3 4 5 6 7 8; do
			if [ $((_c & 128)) -ne 0 ]; then
				_c=$(((_c << 1 ^ 29) & 255))
			else
				_c=$((_c << 1 & 255))
			fi
		done
	done
	printf '%s#%s%02X\n' "$1" "$2" $((_c ^ 255))
}

# e2e_valid ID#16HEX: is the frame's last byte the E2E-8 CRC of the rest?
e2e_valid() {
	_f=${1##* }
	[ "$(e2e_frame "${_f%%#*}" "$(echo "${_f#*#}" | cut -c1-14)")" = "$_f" ]
}
