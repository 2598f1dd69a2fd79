// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Actuator command and acknowledgment frames over any DBC: which message
 * and signal plays which role, decoding with the E2E-8 check and the
 * not-available codes, and the acknowledgment built back.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense-act.h"

struct cs_actcmd {
	const struct cs_dbc_message *cmd, *ack;
	const struct cs_dbc_signal *cs[CS_ACTCMD_ROLES];
	const struct cs_dbc_signal *as[CS_ACTACK_ROLES];
	int fixed_actuator;
	struct cs_e2e_config e2e;
	unsigned int ack_counter_bits;
};

static const char *const cmd_default[CS_ACTCMD_ROLES] = {
	"Actuator", "Action", "Sequence", "PulseTime", "Counter", "CRC"
};
static const char *const ack_default[CS_ACTACK_ROLES] = {
	"Actuator", "Action", "Result", "Sequence", "Level", "Counter", "CRC"
};
/* Roles a message may lack when the default name is not in it. */
static const int cmd_optional[CS_ACTCMD_ROLES] = { 1, 0, 1, 1, 1, 1 };

static char why_buf[160];

static void fail(int err, const char **why, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail(int err, const char **why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why_buf, sizeof(why_buf), fmt, ap);
	va_end(ap);
	if (why)
		*why = why_buf;
	errno = err;
}

/* The signal for a role: NULL and *@absent when the message has none. */
static int role_signal(const struct cs_dbc_message *m, const char *given,
		       const char *def, int optional,
		       const struct cs_dbc_signal **s, const char **why)
{
	*s = NULL;
	if (given && !strcmp(given, "-"))
		return 0;
	*s = cs_dbc_signal_by_name(m, given ? given : def);
	if (*s || (!given && optional))
		return 0;
	fail(ENOENT, why, "%s has no signal %s", m->name, given ? given : def);
	return -1;
}

/* A CRC signal must be one whole byte; a counter 1..8 bits unsigned. */
static int e2e_signals(const struct cs_dbc_message *m,
		       const struct cs_dbc_signal *counter,
		       const struct cs_dbc_signal *crc, const char **why)
{
	if (crc && (crc->length != 8 || crc->valtype != CS_DBC_INTEGER ||
		    crc->start % 8 || crc->mux != CS_DBC_PLAIN ||
		    crc->start / 8 >= m->dlc)) {
		fail(EINVAL, why, "%s: CRC signal %s is not one whole byte",
		     m->name, crc->name);
		return -1;
	}
	if (counter && (counter->length > 8 || counter->is_signed ||
			counter->valtype != CS_DBC_INTEGER ||
			counter->mux != CS_DBC_PLAIN)) {
		fail(EINVAL, why, "%s: counter %s is not 1..8 unsigned bits",
		     m->name, counter->name);
		return -1;
	}
	return 0;
}

struct cs_actcmd *cs_actcmd_create(const struct cs_dbc *dbc,
				   const struct cs_actcmd_names *n,
				   const char **why)
{
	struct cs_actcmd *c;
	const char *name;
	int i;

	if (!dbc || !n) {
		errno = EINVAL;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	name = n->command ? n->command : "CS_ActuatorCmd";
	c->cmd = cs_dbc_message_by_name(dbc, name);
	if (!c->cmd) {
		fail(ENOENT, why, "no command message %s in the DBC", name);
		goto bad;
	}
	for (i = 0; i < CS_ACTCMD_ROLES; i++)
		if (role_signal(c->cmd, n->cmd_signal[i], cmd_default[i],
				cmd_optional[i], &c->cs[i], why))
			goto bad;
	if (!c->cs[CS_ACTCMD_ACTION]) {
		fail(EINVAL, why, "%s: a command needs an action signal",
		     c->cmd->name);
		goto bad;
	}
	if (e2e_signals(c->cmd, c->cs[CS_ACTCMD_COUNTER], c->cs[CS_ACTCMD_CRC],
			why))
		goto bad;
	if ((!c->cs[CS_ACTCMD_COUNTER] || !c->cs[CS_ACTCMD_CRC]) &&
	    !n->no_e2e) {
		fail(EINVAL, why, "%s has no E2E counter and CRC (the "
		     "command would be unprotected)", c->cmd->name);
		goto bad;
	}
	if (n->no_e2e)
		c->cs[CS_ACTCMD_COUNTER] = c->cs[CS_ACTCMD_CRC] = NULL;
	c->e2e = n->e2e;
	if (c->cs[CS_ACTCMD_COUNTER]) {
		c->e2e.counter_bits = c->cs[CS_ACTCMD_COUNTER]->length;
		if (!c->e2e.max_delta)
			c->e2e.max_delta = 1;
		if (c->e2e.max_delta >= 1u << c->e2e.counter_bits ||
		    c->e2e.window_ns <= 0) {
			fail(EINVAL, why, "%s: bad counter step or freshness "
			     "window for counter %s", c->cmd->name,
			     c->cs[CS_ACTCMD_COUNTER]->name);
			goto bad;
		}
	}
	c->fixed_actuator = n->fixed_actuator;
	if (!c->cs[CS_ACTCMD_ACTUATOR] &&
	    (n->fixed_actuator < 0 || n->fixed_actuator > 254)) {
		fail(EINVAL, why, "%s has no actuator signal and no fixed "
		     "actuator", c->cmd->name);
		goto bad;
	}
	name = n->ack ? n->ack : "CS_ActuatorAck";
	if (!strcmp(name, "-"))
		return c;
	c->ack = cs_dbc_message_by_name(dbc, name);
	if (!c->ack) {
		fail(ENOENT, why, "no acknowledgment message %s in the DBC",
		     name);
		goto bad;
	}
	for (i = 0; i < CS_ACTACK_ROLES; i++)
		if (role_signal(c->ack, n->ack_signal[i], ack_default[i], 1,
				&c->as[i], why))
			goto bad;
	if (e2e_signals(c->ack, c->as[CS_ACTACK_COUNTER], c->as[CS_ACTACK_CRC],
			why))
		goto bad;
	return c;
bad:
	free(c);
	return NULL;
}

void cs_actcmd_destroy(struct cs_actcmd *c)
{
	free(c);
}

const struct cs_dbc_message *cs_actcmd_command_message(const struct cs_actcmd *c)
{
	return c ? c->cmd : NULL;
}

const struct cs_dbc_message *cs_actcmd_ack_message(const struct cs_actcmd *c)
{
	return c ? c->ack : NULL;
}

int cs_actcmd_protected(const struct cs_actcmd *c)
{
	return c && c->cs[CS_ACTCMD_COUNTER] && c->cs[CS_ACTCMD_CRC];
}

/* A whole number in [0, max] from signal @s, or -1 (none), -2 (not
 * available: the DBC's code, or no whole number in range). Never casts a
 * NaN or an out-of-range double. */
static int whole(const struct cs_dbc_signal *s, const struct cs_can_frame *f,
		 long max, long *v)
{
	double x;

	*v = -1;
	if (!s)
		return 0;
	if (cs_dbc_signal_decode(s, f->data, f->len, &x) || isnan(x) ||
	    !(x >= 0 && x <= (double)max) || x != floor(x))
		return -2;
	*v = (long)x;
	return 0;
}

int cs_actcmd_decode(const struct cs_actcmd *c, struct cs_e2e_state *st,
		     const struct cs_can_frame *f, int64_t now_ns,
		     struct cs_act_command *cmd)
{
	const struct cs_dbc_signal *ctr = c ? c->cs[CS_ACTCMD_COUNTER] : NULL;
	int na = 0, ret;
	long v;

	if (!c || !st || !f || !cmd || f->len > CS_CAN_MAX_DLEN)
		return -EINVAL;
	cmd->actuator = cmd->action = cmd->sequence = cmd->counter = -1;
	cmd->pulse_ns = -1;
	if (f->len < c->cmd->dlc)
		return CS_ACT_CORRUPT;
	na |= whole(c->cs[CS_ACTCMD_ACTUATOR], f, 254, &v);
	cmd->actuator = c->cs[CS_ACTCMD_ACTUATOR] ? (int)v : c->fixed_actuator;
	na |= whole(c->cs[CS_ACTCMD_ACTION], f, 15, &v);
	cmd->action = (int)v;
	na |= whole(c->cs[CS_ACTCMD_SEQUENCE], f, 255, &v);
	cmd->sequence = (int)v;
	if (c->cs[CS_ACTCMD_PULSE]) {
		double x;

		if (cs_dbc_signal_decode(c->cs[CS_ACTCMD_PULSE], f->data,
					 f->len, &x) || isnan(x) ||
		    !(x >= 0 && x <= 3600.0))
			na |= -2;
		else
			cmd->pulse_ns = llround(x * 1e9);
	}
	if (ctr) {
		const struct cs_dbc_signal *crc = c->cs[CS_ACTCMD_CRC];
		uint64_t raw_ctr, raw_crc;
		int crc_ok;

		if (cs_dbc_signal_get_raw(ctr, f->data, f->len, &raw_ctr) ||
		    cs_dbc_signal_get_raw(crc, f->data, f->len, &raw_crc))
			return CS_ACT_CORRUPT;
		cmd->counter = (int)raw_ctr;
		crc_ok = raw_crc == cs_e2e_crc((uint16_t)(f->id & 0xffff),
					       f->data, f->len,
					       crc->start / 8);
		ret = cs_e2e_check(&c->e2e, st, (unsigned int)raw_ctr, crc_ok,
				   now_ns);
		if (ret < 0)
			return ret;
		switch (ret) {
		case CS_E2E_CORRUPT:
			return CS_ACT_CORRUPT;
		case CS_E2E_REPEATED:
			return CS_ACT_REPEATED;
		case CS_E2E_STALE:
			return CS_ACT_STALE;
		case CS_E2E_OUT_OF_ORDER:
			return CS_ACT_OUT_OF_ORDER;
		default:
			break;
		}
	}
	return na ? CS_ACT_NOT_AVAILABLE : CS_ACT_DONE;
}

/* Set @s (if any) to @v, NaN meaning "not available". */
static void put(const struct cs_dbc_signal *s, struct cs_can_frame *f,
		double v)
{
	if (s)
		cs_dbc_signal_encode(s, f->data, f->len, v);
}

static void frame_init(const struct cs_dbc_message *m, struct cs_can_frame *f)
{
	memset(f, 0, sizeof(*f));
	f->id = m->id;
	f->extended = m->extended;
	f->len = (uint8_t)m->dlc;
	if (f->len > 8)
		f->flags = CS_CAN_FLAG_FD;
}

/* Counter and CRC last, over everything else. */
static void protect(const struct cs_dbc_signal *ctr,
		    const struct cs_dbc_signal *crc, unsigned int counter,
		    uint16_t data_id, struct cs_can_frame *f)
{
	if (ctr)
		cs_dbc_signal_set_raw(ctr, f->data, f->len,
				      counter & ((1u << ctr->length) - 1));
	if (crc)
		f->data[crc->start / 8] = cs_e2e_crc(data_id, f->data, f->len,
						     crc->start / 8);
}

static double or_nan(int v)
{
	return v < 0 ? NAN : v;
}

int cs_actcmd_ack(const struct cs_actcmd *c, const struct cs_act_ack *a,
		  unsigned int *counter, struct cs_can_frame *f)
{
	if (!c || !a || !counter || !f)
		return -EINVAL;
	if (!c->ack)
		return -ENOENT;
	frame_init(c->ack, f);
	put(c->as[CS_ACTACK_ACTUATOR], f, or_nan(a->actuator));
	put(c->as[CS_ACTACK_ACTION], f, or_nan(a->action));
	put(c->as[CS_ACTACK_RESULT], f, a->result);
	put(c->as[CS_ACTACK_SEQUENCE], f, or_nan(a->sequence));
	put(c->as[CS_ACTACK_LEVEL], f, or_nan(a->level));
	protect(c->as[CS_ACTACK_COUNTER], c->as[CS_ACTACK_CRC], *counter,
		(uint16_t)(c->ack->id & 0xffff), f);
	(*counter)++;
	return 0;
}

int cs_actcmd_encode(const struct cs_actcmd *c,
		     const struct cs_act_command *cmd, uint16_t data_id,
		     struct cs_can_frame *f)
{
	if (!c || !cmd || !f)
		return -EINVAL;
	frame_init(c->cmd, f);
	put(c->cs[CS_ACTCMD_ACTUATOR], f, or_nan(cmd->actuator));
	put(c->cs[CS_ACTCMD_ACTION], f, or_nan(cmd->action));
	put(c->cs[CS_ACTCMD_SEQUENCE], f, or_nan(cmd->sequence));
	put(c->cs[CS_ACTCMD_PULSE], f,
	    cmd->pulse_ns < 0 ? NAN : cmd->pulse_ns * 1e-9);
	protect(c->cs[CS_ACTCMD_COUNTER], c->cs[CS_ACTCMD_CRC],
		cmd->counter < 0 ? 0 : (unsigned int)cmd->counter, data_id, f);
	return 0;
}

const char *cs_act_result_name(int result)
{
	static const char *const names[] = {
		"done", "released", "unknown-actuator", "refused",
		"gpio-error", "repeated", "stale", "out-of-order", "corrupt",
		"not-available"
	};

	if (result < 0 || result >= CS_ACT_RESULTS)
		return NULL;
	return names[result];
}
