# User name, password and TLS as Mosquitto does them: a real mosquitto
# with a password file (no anonymous clients) on a plain and a TLS
# listener (a CA and a server certificate made here). sense2mqtt gets the
# password from the environment or a file, never the command line; a wrong
# password and an unknown CA are refused, reported, and the records stay
# queued for the next start.
set -eu
. "$SRC/tests/tools/common/fleet.sh"

D=$FLEET/auth
mkdir -p "$D"
cd "$D"
# a CA and a server certificate for 127.0.0.1 (EC keys: quick to make)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	-subj /CN=cellsense-test-ca -keyout ca.key -out ca.pem 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-subj /CN=127.0.0.1 -keyout server.key -out server.csr 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' >ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
	-days 2 -extfile ext -out server.pem 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	-subj /CN=other-ca -keyout other.key -out other.pem 2>/dev/null
: >passwd
mosquitto_passwd -b passwd gw 's3cret pass'
[ -n "$AS" ] && chown -R "$svc_user" "$D"
chmod 600 passwd

for try in 1 2 3 4 5 6 7 8; do
	P1=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000 ))
	P2=$((P1 + 1))
	cat >mosquitto.conf <<EOC
per_listener_settings false
allow_anonymous false
password_file $D/passwd
listener $P1 127.0.0.1
listener $P2 127.0.0.1
cafile $D/ca.pem
certfile $D/server.pem
keyfile $D/server.key
EOC
	$AS mosquitto -c "$D/mosquitto.conf" >>"$FLEET/mosquitto.log" 2>&1 &
	MQ_PID=$!
	up() { kill -0 "$MQ_PID" && grep -q "listen socket on port $P2" "$FLEET/mosquitto.log"; }
	end=$(( $(date +%s) + 20 ))
	until up 2>/dev/null; do
		kill -0 "$MQ_PID" 2>/dev/null || break
		[ "$(date +%s)" -lt "$end" ] || { echo "FAIL: broker not up"; fleet_logs; exit 1; }
		sleep 0.05
	done
	kill -0 "$MQ_PID" 2>/dev/null && break
done
wait_for 20 "the broker" mosquitto_sub -p "$P1" -u gw -P 's3cret pass' -t probe -E -W 2

gen_records 3000 0 >r.tsv
# run NAME EXPECTED_EXIT ARGS...: sense2mqtt on r.tsv, --ack broker
run() {
	name=$1 want=$2
	shift 2
	set +e
	"$BIN/sense2mqtt" -r auth -Q "$D/q-$name" -a broker -b 500 "$@" r.tsv 2>"$name.log"
	st=$?
	set -e
	[ "$st" -eq "$want" ] || { echo "FAIL: $name: exit $st, wanted $want"; cat "$name.log"; exit 1; }
	sed "s/^/$name: /" "$name.log"
}

echo "== password from the environment"
CELLSENSE_MQTT_PASSWORD='s3cret pass' run env 0 -p "$P1" -u gw
grep -q "3000 confirmed by the broker" env.log
echo "== user and password from the environment and a file"
printf 's3cret pass\n' >pwfile
CELLSENSE_MQTT_USERNAME=gw run file 0 -p "$P1" --password-file pwfile
grep -q "3000 confirmed by the broker" file.log
echo "== a wrong password: refused, the records stay queued"
CELLSENSE_MQTT_PASSWORD=wrong run wrong 1 -p "$P1" -u gw -W 2
grep -q "refused the connection: .*not authori" wrong.log
grep -q "3000 records in 6 batches still queued" wrong.log
echo "== ... and go at the next start with the right one"
"$BIN/sense2mqtt" -r auth -Q "$D/q-wrong" -a broker -p "$P1" -u gw --password-file pwfile </dev/null 2>resume.log ||
	{ echo "FAIL: resume"; cat resume.log; exit 1; }
grep -q "3000 confirmed by the broker" resume.log
echo "== TLS, the server checked against our CA"
CELLSENSE_MQTT_PASSWORD='s3cret pass' run tls 0 -h 127.0.0.1 -p "$P2" --cafile ca.pem -u gw
grep -q "3000 confirmed by the broker" tls.log
echo "== TLS against a CA that did not sign the server: no connection"
CELLSENSE_MQTT_PASSWORD='s3cret pass' run badca 1 -h 127.0.0.1 -p "$P2" --cafile other.pem -u gw -W 2
grep -q "0 confirmed by the broker" badca.log
grep -q "still queued" badca.log
echo PASS
