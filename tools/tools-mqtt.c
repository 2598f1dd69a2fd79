// SPDX-License-Identifier: GPL-2.0-or-later
/* Broker options and a connection kept up from a poll() loop, for
 * sense2mqtt and mqtt2pg. libmosquitto is used without its thread: the
 * tools own one poll() loop over their input and the broker's socket. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mosquitto.h>

#include "tools-common.h"
#include "tools-mqtt.h"

void mqtt_opts_init(struct mqtt_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->host = "localhost";
	o->keepalive = 60;
}

int mqtt_opts_take(struct mqtt_opts *o, int c, const char *arg)
{
	switch (c) {
	case 'h':
		o->host = arg;
		break;
	case 'p':
		o->port = (int)parse_long(arg, "port", 1, 65535);
		break;
	case 'i':
		o->id = arg;
		break;
	case 'k':
		o->keepalive = (int)parse_long(arg, "keepalive", 5, 65535);
		break;
	case 'u':
		o->user = arg;
		break;
	case 'd':
		o->debug = 1;
		break;
	case MQTT_OPT_PASSWORD_FILE:
		o->password_file = arg;
		break;
	case MQTT_OPT_CAFILE:
		o->cafile = arg;
		break;
	case MQTT_OPT_CAPATH:
		o->capath = arg;
		break;
	case MQTT_OPT_CERT:
		o->cert = arg;
		break;
	case MQTT_OPT_KEY:
		o->key = arg;
		break;
	case MQTT_OPT_TLS_VERSION:
		if (strcmp(arg, "tlsv1.2") && strcmp(arg, "tlsv1.3"))
			die_usage("tls-version: '%s' is not tlsv1.2 or tlsv1.3",
				  arg);
		o->tls_version = arg;
		break;
	case MQTT_OPT_INSECURE:
		o->insecure = 1;
		break;
	default:
		return 0;
	}
	return 1;
}

void mqtt_opts_finish(struct mqtt_opts *o, const char *default_id)
{
	int tls = o->cafile || o->capath;

	if ((o->cert || o->key || o->insecure || o->tls_version) && !tls)
		die_usage("TLS options need --cafile or --capath");
	if (!o->cert != !o->key)
		die_usage("--cert and --key go together");
	if (!o->port)
		o->port = tls ? 8883 : 1883;
	if (!o->id)
		o->id = default_id;
	if (!o->user)
		o->user = getenv("CELLSENSE_MQTT_USERNAME");
	if (strlen(o->id) > 23)
		warn("client id '%s' is longer than the 23 characters MQTT "
		     "3.1.1 promises; Mosquitto takes it", o->id);
}

/* The password: first line of the file, or the environment's. */
static char *password(const struct mqtt_opts *o)
{
	const char *env = getenv("CELLSENSE_MQTT_PASSWORD");
	char *pw;
	size_t len;

	if (o->password_file) {
		pw = tools_read_file(o->password_file, "password file", &len);
		pw[strcspn(pw, "\r\n")] = '\0';
		return pw;
	}
	if (!env)
		return NULL;
	pw = strdup(env);
	if (!pw)
		die_perror("strdup");
	return pw;
}

static int64_t now_ns(void)
{
	return tools_clock_ns(CLOCK_MONOTONIC);
}

static void on_connect(struct mosquitto *m, void *obj, int rc, int flags)
{
	struct mqtt_link *l = obj;

	(void)m;
	if (rc) {
		const char *why = mosquitto_connack_string(rc);

		if (why != l->last_error)	/* once, not at every retry */
			warn("broker %s:%d refused the connection: %s; "
			     "retrying", l->o->host, l->o->port, why);
		l->last_error = why;
		return;
	}
	l->last_error = NULL;
	l->connected = 1;
	l->session_present = flags & 1;
	l->connects++;
	l->backoff_ns = 100000000;
	if (l->connects > 1 || l->losses)
		warn("broker %s:%d: connected again (session %s)", l->o->host,
		     l->o->port, l->session_present ? "kept" : "new");
	if (l->on_up)
		l->on_up(l, l->ctx);
}

static void schedule_retry(struct mqtt_link *l)
{
	l->retry_at = now_ns() + l->backoff_ns;
	if (l->backoff_ns < 2000000000)
		l->backoff_ns *= 2;
}

static void on_disconnect(struct mosquitto *m, void *obj, int rc)
{
	struct mqtt_link *l = obj;

	(void)m;
	if (l->connected) {
		l->losses++;
		warn("broker %s:%d: connection lost (%s); retrying",
		     l->o->host, l->o->port, mosquitto_strerror(rc));
		l->connected = 0;
		if (l->on_down)
			l->on_down(l, l->ctx);
	}
	schedule_retry(l);
}

static void on_log(struct mosquitto *m, void *obj, int level, const char *s)
{
	(void)m;
	(void)obj;
	(void)level;
	warn("mosquitto: %s", s);
}

static void check(int rc, const char *what)
{
	if (rc == MOSQ_ERR_ERRNO)
		die_perror("%s", what);
	if (rc != MOSQ_ERR_SUCCESS)
		die("%s: %s", what, mosquitto_strerror(rc));
}

void mqtt_link_init(struct mqtt_link *l, const struct mqtt_opts *o,
		    void *ctx)
{
	char *pw;
	int rc;

	mosquitto_lib_init();
	l->o = o;
	l->ctx = ctx;
	l->backoff_ns = 100000000;
	l->m = mosquitto_new(o->id, false, l);
	if (!l->m)
		die_perror("mosquitto_new");
	check(mosquitto_int_option(l->m, MOSQ_OPT_PROTOCOL_VERSION,
				   MQTT_PROTOCOL_V311), "MQTT version");
	check(mosquitto_int_option(l->m, MOSQ_OPT_TCP_NODELAY, 1),
	      "TCP_NODELAY");
	pw = password(o);
	if (pw && !o->user) {
		free(pw);
		die_usage("a password without a user name (give -u)");
	}
	if (o->user)
		check(mosquitto_username_pw_set(l->m, o->user, pw),
		      "user name and password");
	free(pw);
	if (o->cafile || o->capath) {
		check(mosquitto_tls_set(l->m, o->cafile, o->capath, o->cert,
					o->key, NULL), "TLS files");
		check(mosquitto_tls_opts_set(l->m, 1, o->tls_version, NULL),
		      "TLS options");
		if (o->insecure)
			check(mosquitto_tls_insecure_set(l->m, true),
			      "--insecure");
	}
	mosquitto_connect_with_flags_callback_set(l->m, on_connect);
	mosquitto_disconnect_callback_set(l->m, on_disconnect);
	if (o->debug)
		mosquitto_log_callback_set(l->m, on_log);
	rc = mosquitto_connect_async(l->m, o->host, o->port, o->keepalive);
	if (rc == MOSQ_ERR_INVAL)
		die("broker %s:%d: %s", o->host, o->port,
		    mosquitto_strerror(rc));
	if (rc != MOSQ_ERR_SUCCESS) {
		warn("broker %s:%d: %s; retrying", o->host, o->port,
		     rc == MOSQ_ERR_ERRNO ? strerror(errno) :
		     mosquitto_strerror(rc));
		schedule_retry(l);
	}
}

void mqtt_link_destroy(struct mqtt_link *l)
{
	if (l->m) {
		if (l->connected) {
			l->connected = 0;	/* not a loss: no warning */
			mosquitto_disconnect(l->m);
		}
		mosquitto_destroy(l->m);
	}
	mosquitto_lib_cleanup();
}

void mqtt_link_pollfd(struct mqtt_link *l, struct pollfd *p, int64_t *wake)
{
	int64_t tick = now_ns() + 1000000000;	/* keep-alive, retries */

	p->fd = mosquitto_socket(l->m);
	p->events = POLLIN;
	p->revents = 0;
	if (p->fd >= 0 && mosquitto_want_write(l->m))
		p->events |= POLLOUT;
	if (p->fd < 0 && l->retry_at < tick)
		tick = l->retry_at;
	if (tick < *wake)
		*wake = tick;
}

void mqtt_link_service(struct mqtt_link *l, int64_t now)
{
	int rc, k;

	if (mosquitto_socket(l->m) < 0) {
		if (now < l->retry_at)
			return;
		rc = mosquitto_reconnect_async(l->m);
		if (rc != MOSQ_ERR_SUCCESS) {
			l->last_error = rc == MOSQ_ERR_ERRNO ? strerror(errno) :
					mosquitto_strerror(rc);
			schedule_retry(l);
			return;
		}
	}
	/* mosquitto_loop() reads about one packet a call: go on while
	 * the socket has more (it handles a lost connection itself,
	 * closing and calling on_disconnect) */
	for (k = 0; k < 4096; k++) {
		struct pollfd p = { .fd = mosquitto_socket(l->m),
				    .events = POLLIN };

		if (p.fd < 0)
			return;
		rc = mosquitto_loop(l->m, 0, 1);
		if (rc != MOSQ_ERR_SUCCESS || l->pause)
			return;
		if (mosquitto_want_write(l->m))
			continue;
		if (poll(&p, 1, 0) <= 0 || !(p.revents & POLLIN))
			return;
	}
}
