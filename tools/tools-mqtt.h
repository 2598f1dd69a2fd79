/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What sense2mqtt and mqtt2pg share: the broker options as Mosquitto's own
 * clients spell them, credentials from a file or the environment (never the
 * command line), and a connection kept up from a poll() loop. */
#ifndef CELLSENSE_TOOLS_MQTT_H
#define CELLSENSE_TOOLS_MQTT_H

#include <getopt.h>
#include <poll.h>
#include <stdint.h>

struct mosquitto;

struct mqtt_opts {
	const char *host, *id, *user, *password_file;
	const char *cafile, *capath, *cert, *key, *tls_version;
	int port, keepalive, insecure, debug;
};

/* Long options of struct mqtt_opts; their short letters in MQTT_SHORTOPTS. */
#define MQTT_SHORTOPTS "h:p:i:u:k:d"
#define MQTT_HELP \
"Broker (as mosquitto_pub(1) spells them):\n" \
"  -h, --host=HOST       broker host (default localhost)\n" \
"  -p, --port=PORT       broker port (default 1883, 8883 with TLS)\n" \
"  -i, --id=ID           MQTT client id, the name of the persistent session\n" \
"  -k, --keepalive=SEC   keep-alive interval (default 60)\n" \
"  -u, --username=USER   user name (default $CELLSENSE_MQTT_USERNAME)\n" \
"      --password-file=FILE  the password: the first line of FILE; else\n" \
"                        $CELLSENSE_MQTT_PASSWORD (never on the command line)\n" \
"      --cafile=FILE     TLS: trust the CAs in FILE (turns TLS on)\n" \
"      --capath=DIR      TLS: trust the CAs in DIR (turns TLS on)\n" \
"      --cert=FILE       TLS: client certificate\n" \
"      --key=FILE        TLS: client key\n" \
"      --tls-version=V   TLS: tlsv1.2 or tlsv1.3 (default: the library's)\n" \
"      --insecure        TLS: do not check the server's host name\n" \
"  -d, --debug           libmosquitto's log on standard error\n"

enum {
	MQTT_OPT_PASSWORD_FILE = 0x1000, MQTT_OPT_CAFILE, MQTT_OPT_CAPATH,
	MQTT_OPT_CERT, MQTT_OPT_KEY, MQTT_OPT_TLS_VERSION, MQTT_OPT_INSECURE,
	MQTT_OPT_HELP,
};

#define MQTT_LONGOPTS \
	{ "host", required_argument, NULL, 'h' }, \
	{ "port", required_argument, NULL, 'p' }, \
	{ "id", required_argument, NULL, 'i' }, \
	{ "keepalive", required_argument, NULL, 'k' }, \
	{ "username", required_argument, NULL, 'u' }, \
	{ "password-file", required_argument, NULL, MQTT_OPT_PASSWORD_FILE }, \
	{ "cafile", required_argument, NULL, MQTT_OPT_CAFILE }, \
	{ "capath", required_argument, NULL, MQTT_OPT_CAPATH }, \
	{ "cert", required_argument, NULL, MQTT_OPT_CERT }, \
	{ "key", required_argument, NULL, MQTT_OPT_KEY }, \
	{ "tls-version", required_argument, NULL, MQTT_OPT_TLS_VERSION }, \
	{ "insecure", no_argument, NULL, MQTT_OPT_INSECURE }, \
	{ "debug", no_argument, NULL, 'd' }, \
	{ "help", no_argument, NULL, MQTT_OPT_HELP }

void mqtt_opts_init(struct mqtt_opts *o);
/* Take getopt's @c (with optarg): 1 when it was a broker option. */
int mqtt_opts_take(struct mqtt_opts *o, int c, const char *arg);
/* Checks after parsing: default port, id; dies on a usage error. */
void mqtt_opts_finish(struct mqtt_opts *o, const char *default_id);

/* A client and its connection, kept up from the caller's poll() loop. */
struct mqtt_link {
	struct mosquitto *m;
	const struct mqtt_opts *o;
	int connected;		/* CONNACK with success seen */
	int session_present;
	int64_t retry_at, backoff_ns;	/* CLOCK_MONOTONIC */
	unsigned long connects, losses;
	const char *last_error;
	int pause;		/* set by a callback: stop reading for now */
	/* called on a new connection (subscribe here) and on its loss */
	void (*on_up)(struct mqtt_link *l, void *ctx);
	void (*on_down)(struct mqtt_link *l, void *ctx);
	void *ctx;
};

/* libmosquitto set up (session kept across connections: clean session
 * off), TLS and credentials applied, the first connection attempt made;
 * dies on a setting the library refuses. @ctx is handed to the
 * callbacks the caller sets with mosquitto_*_callback_set(). */
void mqtt_link_init(struct mqtt_link *l, const struct mqtt_opts *o,
		    void *ctx);
void mqtt_link_destroy(struct mqtt_link *l);
/* The pollfd to wait on (fd -1 when there is no socket) and the time by
 * which mqtt_link_service() wants to run (retries, keep-alive). */
void mqtt_link_pollfd(struct mqtt_link *l, struct pollfd *p, int64_t *wake);
/* Read, write, keep alive, reconnect when due. */
void mqtt_link_service(struct mqtt_link *l, int64_t now);

#endif
