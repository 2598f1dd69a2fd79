# Sourced by the fleet tests (tests/tools/fleet-*.sh): a real mosquitto on
# a loopback port and a throw-away PostgreSQL cluster in $TMPDIR, started
# as an unprivileged user when run as root (PostgreSQL refuses root), and
# stopped on every way out of the test (trap). Readiness is polled for,
# never slept for.
#
#   . "$SRC/tests/tools/common/fleet.sh"
#   fleet_start          # broker on $MQ_PORT, store in $PGHOST (exported)
#   gen_records N T0 >f  # N records, 4 sources, 1 ms apart from T0 ns
#   ... run sense2mqtt / mqtt2pg in the background with fleet_bg ...
#   check_store RIG FILE # every record of FILE in the store once, no more

FLEET=$TMPDIR/fleet
mkdir -p "$FLEET"
PGBIN=$(pg_config --bindir 2>/dev/null || true)
[ -x "$PGBIN/initdb" ] || PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
[ -x "$PGBIN/initdb" ] || { echo "FAIL: PostgreSQL not installed (scripts/install-deps.sh)"; exit 1; }
command -v mosquitto >/dev/null || PATH=$PATH:/usr/sbin
command -v mosquitto >/dev/null || { echo "FAIL: mosquitto not installed (scripts/install-deps.sh)"; exit 1; }

# who runs the servers
AS=""
if [ "$(id -u)" -eq 0 ]; then
	if id postgres >/dev/null 2>&1; then svc_user=postgres; else svc_user=nobody; fi
	# setpriv execs (runuser forks, and a kill would miss the server)
	AS="setpriv --reuid=$svc_user --regid=$(id -g "$svc_user") --init-groups --"
	chmod o+x "$TMPDIR"
	chown "$svc_user" "$FLEET"
fi

FLEET_PIDS=""
MQ_PID=""

# fleet_bg NAME CMD...: CMD in the background, output in $FLEET/NAME.log,
# its pid in $LAST_PID (and stopped at the end if still running)
fleet_bg() {
	name=$1
	shift
	"$@" >"$FLEET/$name.out" 2>"$FLEET/$name.log" &
	LAST_PID=$!
	FLEET_PIDS="$FLEET_PIDS $LAST_PID"
}

fleet_cleanup() {
	set +e
	for p in $FLEET_PIDS; do kill "$p" 2>/dev/null; done
	for p in $FLEET_PIDS; do wait "$p" 2>/dev/null; done
	[ -n "$MQ_PID" ] && kill -9 "$MQ_PID" 2>/dev/null && wait "$MQ_PID" 2>/dev/null
	[ -f "$FLEET/pg/postmaster.pid" ] &&
		$AS "$PGBIN/pg_ctl" -D "$FLEET/pg" -m immediate stop >/dev/null 2>&1
	return 0
}
trap 'st=$?; fleet_cleanup; exit $st' EXIT
trap 'exit 1' INT TERM HUP

# wait_for SECONDS WHAT CMD...: poll CMD until it succeeds, or fail
wait_for() {
	limit=$1 what=$2
	shift 2
	end=$(( $(date +%s) + limit ))
	until "$@" >/dev/null 2>&1; do
		if [ "$(date +%s)" -ge "$end" ]; then
			echo "FAIL: timed out after ${limit}s waiting for $what"
			fleet_logs
			exit 1
		fi
		sleep 0.05
	done
}

fleet_logs() {
	for f in "$FLEET"/*.log "$FLEET"/pg.log; do
		[ -s "$f" ] || continue
		echo "--- $f"
		tail -n 20 "$f"
	done
}

# ---- PostgreSQL ----
pg_start() {
	$AS "$PGBIN/pg_ctl" -D "$FLEET/pg" -l "$FLEET/pg.log" -W \
		-o "-k $FLEET/sock -c listen_addresses= -p $PGPORT -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
	wait_for 60 "PostgreSQL" "$PGBIN/pg_isready" -q -h "$FLEET/sock" -p "$PGPORT" -U cellsense
}
pg_stop() {
	$AS "$PGBIN/pg_ctl" -D "$FLEET/pg" -m fast -w stop >/dev/null
}
psql_q() {
	"$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 -c "$1"
}

# ---- mosquitto ----
mq_start() {
	$AS mosquitto -c "$FLEET/mosquitto.conf" >>"$FLEET/mosquitto.log" 2>&1 &
	MQ_PID=$!
}
mq_ready() {
	kill -0 "$MQ_PID" 2>/dev/null || return 2
	mosquitto_sub -h 127.0.0.1 -p "$MQ_PORT" -t fleet/probe -E -W 2 -i "probe$$"
}
mq_wait() {
	end=$(( $(date +%s) + 30 ))
	until mq_ready >/dev/null 2>&1; do
		kill -0 "$MQ_PID" 2>/dev/null || return 1
		[ "$(date +%s)" -lt "$end" ] || { echo "FAIL: broker not ready"; fleet_logs; exit 1; }
		sleep 0.05
	done
}
mq_kill() {
	kill -9 "$MQ_PID"
	wait "$MQ_PID" 2>/dev/null || true
	MQ_PID=""
}

fleet_start() {
	mkdir -p "$FLEET/sock"
	[ -n "$AS" ] && chown "$svc_user" "$FLEET/sock"
	PGPORT=5432
	$AS "$PGBIN/initdb" -D "$FLEET/pg" -U cellsense -A trust -E UTF8 \
		--locale=C >"$FLEET/initdb.log" 2>&1 ||
		{ echo "FAIL: initdb"; cat "$FLEET/initdb.log"; exit 1; }
	pg_start
	export PGHOST="$FLEET/sock" PGPORT PGUSER=cellsense PGDATABASE=postgres
	psql_q "CREATE DATABASE cellsense" >/dev/null
	export PGDATABASE=cellsense
	# a free loopback port: mosquitto says when it is not. No persistence:
	# a broker killed loses its sessions, and nothing may be lost for it
	# (2.0.11 also crashed here once saving its file every second)
	for try in 1 2 3 4 5 6 7 8; do
		MQ_PORT=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000 ))
		mkdir -p "$FLEET/mq"
		[ -n "$AS" ] && chown "$svc_user" "$FLEET/mq"
		cat >"$FLEET/mosquitto.conf" <<EOC
listener $MQ_PORT 127.0.0.1
allow_anonymous true
persistence false
max_queued_messages 0
max_queued_bytes 0
EOC
		mq_start
		if mq_wait; then
			export MQ_PORT
			return 0
		fi
	done
	echo "FAIL: no free port for mosquitto"
	exit 1
}

# gen_records N T0 [RIGTAG]: N records of 4 sources, a millisecond apart per
# source, from T0 ns; values from the index (so each is checkable)
gen_records() {
	awk -v n="$1" -v t0="$2" 'BEGIN {
		print "time_ns\tsource\tquantity\tvalue\tunit\tstatus\tuncertainty"
		for (i = 0; i < n; i++)
			printf "%.0f\tfbg0/g%d\ttemperature\t%.3f\tdegC\tok\t0.01\n",
				t0 + int(i / 4) * 1000000, i % 4, 20 + i * 0.001
	}'
}

# store_count [RIG]: rows in the store (of RIG)
store_count() {
	if [ $# -gt 0 ]; then
		psql_q "SELECT count(*) FROM records WHERE rig = '$1'"
	else
		psql_q "SELECT count(*) FROM records"
	fi
}

# check_store RIG FILE [N_EXPECTED]: the store holds for RIG exactly the
# records of FILE (or N_EXPECTED of them when some were dropped, each of
# the stored ones equal to its line in FILE)
check_store() {
	rig=$1 file=$2
	psql_q "COPY (SELECT time_ns, source, quantity, value, unit, status FROM records WHERE rig = '$rig') TO STDOUT" >"$FLEET/dump-$rig"
	awk -F '\t' -v want="${3:-all}" -v rig="$rig" '
		NR == FNR { k = $1 FS $2 FS $3; if (k in db) dup++; db[k] = $4; u[k] = $5 FS $6; n++; next }
		/^time_ns/ { next }
		{ k = $1 FS $2 FS $3; lines++
		  if (!(k in db)) { missing++; next }
		  if (db[k] + 0 != $4 + 0 || u[k] != $5 FS $6) { wrong++; if (wrong < 5) print "wrong: " $0 " stored " db[k] " " u[k] }
		  found++ }
		END {
			expn = want == "all" ? lines : want
			printf "%s: %d stored, %d of %d input lines found, %d missing, %d wrong, %d duplicate keys\n", rig, n, found, lines, missing, wrong, dup + 0
			if (n != expn || found != n || wrong || dup) exit 1
		}' "$FLEET/dump-$rig" "$file"
}
