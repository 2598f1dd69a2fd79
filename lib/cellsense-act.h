/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libcellsense, actuators: end-to-end protected command frames, the
 * fail-safe actuator table and local rules (canactuate). Same error
 * convention as cellsense.h; nothing here prints or touches hardware: the
 * GPIO lines are driven through callbacks the caller gives.
 */
#ifndef CELLSENSE_ACT_H
#define CELLSENSE_ACT_H

#include "cellsense-can.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------
 * End-to-end protection ("cellsense E2E-8", in the spirit of AUTOSAR E2E
 * profile 1): every protected frame carries a counter (1..8 bits, +1 mod
 * 2^bits per frame sent) and a CRC-8 SAE J1850 (polynomial 0x1D, initial
 * value 0xFF, final XOR 0xFF, not reflected; check value 0x4B over
 * "123456789") in a whole byte of its own. The CRC covers the 16-bit data
 * id (low byte, then high byte; by default the frame's CAN id) followed by
 * every data byte of the frame except the CRC byte.
 */
CS_API uint8_t cs_crc8_sae_j1850(const uint8_t *data, size_t len);
/* Continue a CRC-8 SAE J1850 over more bytes: @crc is a previous result
 * (start with 0x00: the initial/final XOR make this chain). */
CS_API uint8_t cs_crc8_sae_j1850_update(uint8_t crc, const uint8_t *data,
					size_t len);
/* The E2E-8 CRC of frame @data (@len bytes) whose CRC is byte @crc_byte. */
CS_API uint8_t cs_e2e_crc(uint16_t data_id, const uint8_t *data, size_t len,
			  unsigned int crc_byte);

/* What the receiver makes of a protected frame. */
enum cs_e2e_status {
	CS_E2E_OK = 0,		/* fresh and next in sequence */
	CS_E2E_REPEATED,	/* same counter as the last one */
	CS_E2E_STALE,		/* first frame, or longer than the freshness
				 * window since the sender's last frame */
	CS_E2E_OUT_OF_ORDER,	/* counter jumped back or too far ahead */
	CS_E2E_CORRUPT,		/* CRC does not match */
};

/* One sender's sequence state. Zero it (or call reset) to start. */
struct cs_e2e_state {
	int synced;		/* a reference counter is held */
	unsigned int counter;	/* last counter taken as reference */
	int64_t time_ns;	/* when it came */
};

struct cs_e2e_config {
	unsigned int counter_bits;	/* 1..8 */
	unsigned int max_delta;		/* counter steps accepted, 1..2^bits-1
					 * (1: no frame may be lost) */
	int64_t window_ns;		/* freshness window, > 0 */
};

/*
 * Check a received frame's @counter (and whether its CRC matched,
 * @crc_ok) at @now_ns against @st and update it. A corrupt frame leaves
 * the state alone; a repeated one too (it proves nothing new). A stale or
 * out-of-order frame is refused but becomes the reference, so that the
 * sender's next frame in sequence is accepted (resynchronisation). Returns
 * an enum cs_e2e_status, or -EINVAL.
 */
CS_API int cs_e2e_check(const struct cs_e2e_config *c, struct cs_e2e_state *st,
			unsigned int counter, int crc_ok, int64_t now_ns);
/* Name of an enum cs_e2e_status ("ok", "repeated", ...), NULL if none. */
CS_API const char *cs_e2e_status_name(int status);

/* ---------------------------------------------------------------------
 * Actuator command and acknowledgment frames described by a DBC: which
 * message and which signal plays which role. Defaults are cellsense.dbc's
 * (CS_ActuatorCmd, CS_ActuatorAck).
 */
enum cs_actcmd_role {
	CS_ACTCMD_ACTUATOR = 0,	/* which actuator (absent: a fixed one) */
	CS_ACTCMD_ACTION,	/* 0 off, 1 on, 2 pulse (required) */
	CS_ACTCMD_SEQUENCE,	/* echoed in the acknowledgment */
	CS_ACTCMD_PULSE,	/* pulse length, seconds */
	CS_ACTCMD_COUNTER,	/* E2E counter */
	CS_ACTCMD_CRC,		/* E2E CRC */
	CS_ACTCMD_ROLES
};

enum cs_actack_role {
	CS_ACTACK_ACTUATOR = 0,
	CS_ACTACK_ACTION,
	CS_ACTACK_RESULT,
	CS_ACTACK_SEQUENCE,
	CS_ACTACK_LEVEL,
	CS_ACTACK_COUNTER,
	CS_ACTACK_CRC,
	CS_ACTACK_ROLES
};

/* Result codes of an acknowledgment (CS_ActuatorAck's Result). */
enum cs_act_result {
	CS_ACT_DONE = 0,
	CS_ACT_RELEASED,	/* end of pulse, safety timeout, stop */
	CS_ACT_UNKNOWN,		/* no such actuator */
	CS_ACT_REFUSED,		/* no such action */
	CS_ACT_GPIO,		/* the line could not be driven/read */
	CS_ACT_REPEATED,	/* E2E: refused, see enum cs_e2e_status */
	CS_ACT_STALE,
	CS_ACT_OUT_OF_ORDER,
	CS_ACT_CORRUPT,
	CS_ACT_NOT_AVAILABLE,	/* a field holds its "not available" code */
	CS_ACT_RESULTS
};
CS_API const char *cs_act_result_name(int result);

enum { CS_ACT_OFF = 0, CS_ACT_ON = 1, CS_ACT_PULSE = 2 };

/* How the command and acknowledgment look. Names NULL take the defaults;
 * a role's name "-" says the message has no such signal. */
struct cs_actcmd_names {
	const char *command;			/* CS_ActuatorCmd */
	const char *ack;			/* CS_ActuatorAck; "-": none */
	const char *cmd_signal[CS_ACTCMD_ROLES];
	const char *ack_signal[CS_ACTACK_ROLES];
	int fixed_actuator;		/* when the command has no actuator */
	int no_e2e;			/* accept a command without counter
					 * and CRC (a BMS frame that has
					 * none): must be asked for */
	struct cs_e2e_config e2e;	/* counter_bits taken from the DBC */
};

struct cs_actcmd;

/*
 * The command/ack description over @dbc (which must outlive it). NULL with
 * errno ENOENT (a message or signal not in the DBC), EINVAL (a signal that
 * cannot play its role: CRC not one whole byte, counter wider than 8 bits,
 * a frame without counter and CRC unless no_e2e), with @why (if not NULL)
 * naming it in a static buffer.
 */
CS_API struct cs_actcmd *cs_actcmd_create(const struct cs_dbc *dbc,
					  const struct cs_actcmd_names *n,
					  const char **why);
CS_API void cs_actcmd_destroy(struct cs_actcmd *c);
CS_API const struct cs_dbc_message *
cs_actcmd_command_message(const struct cs_actcmd *c);
/* NULL when there is no acknowledgment. */
CS_API const struct cs_dbc_message *
cs_actcmd_ack_message(const struct cs_actcmd *c);
/* 1 if the command is end-to-end protected. */
CS_API int cs_actcmd_protected(const struct cs_actcmd *c);

/* A decoded command. Fields a frame does not carry are -1. */
struct cs_act_command {
	int actuator;		/* 0..254, -1: not available */
	int action;		/* raw action, -1: not available */
	int sequence;		/* -1 if none */
	int64_t pulse_ns;	/* -1 if none */
	int counter;		/* -1 if unprotected */
};

/*
 * Decode command frame @f (already known to be on an accepted id) of the
 * sender whose sequence state is @st, received at @now_ns. Returns
 * CS_ACT_DONE when the command is to be carried out, or the refusal:
 * CS_ACT_CORRUPT (CRC, or a frame shorter than the message),
 * CS_ACT_REPEATED, CS_ACT_STALE, CS_ACT_OUT_OF_ORDER (see cs_e2e_check),
 * CS_ACT_NOT_AVAILABLE (actuator, action, sequence or pulse holds the
 * DBC's not-available code, or is no whole number in range). @cmd gets
 * what could be read either way. -EINVAL for bad arguments.
 */
CS_API int cs_actcmd_decode(const struct cs_actcmd *c, struct cs_e2e_state *st,
			    const struct cs_can_frame *f, int64_t now_ns,
			    struct cs_act_command *cmd);

/* An acknowledgment. */
struct cs_act_ack {
	int actuator;		/* -1: not available */
	int action;		/* -1: not available */
	int result;		/* enum cs_act_result */
	int sequence;		/* -1: not available */
	int level;		/* line read back, -1: unknown */
};
/*
 * Build the acknowledgment frame @f for @a, with the sender's counter
 * *@counter (then advanced) and CRC when the ack message has them.
 * 0, or -ENOENT when there is no ack message, -EINVAL.
 */
CS_API int cs_actcmd_ack(const struct cs_actcmd *c, const struct cs_act_ack *a,
			 unsigned int *counter, struct cs_can_frame *f);
/*
 * Build a protected command frame (what a BMS sends; for tests and
 * tools): 0 or -EINVAL / -ENOENT.
 */
CS_API int cs_actcmd_encode(const struct cs_actcmd *c,
			    const struct cs_act_command *cmd, uint16_t data_id,
			    struct cs_can_frame *f);


/* ---------------------------------------------------------------------
 * The actuator table: fail-safe lines. Every line driven high is
 * released when its pulse ends or its safety timeout runs out, whatever
 * else happens (the caller asks cs_actlines_next() when, and calls
 * cs_actlines_due() then, from a timer of its own); a release that fails
 * is retried every retry_ns until it holds; cs_actlines_release_all() at
 * every exit releases what is left, with retries, and says what the lines
 * read back. Lines are driven through @ops.
 */
struct cs_actline_event {
	int actuator;
	int action;		/* what the release ends: CS_ACT_ON/PULSE/OFF */
	int sequence;		/* of the command that drove it, -1 none */
	int result;		/* CS_ACT_RELEASED, or CS_ACT_GPIO */
	int level;		/* read back after the attempt, -1 unknown */
	unsigned int attempts;	/* release attempts so far */
	const char *cause;	/* "end of pulse", "safety timeout",
				 * "after a GPIO error", "stop" */
};

struct cs_actlines_ops {
	/* Drive line @index to @value: 0 with *@level read back (0 or 1,
	 * or -errno when the read-back failed), or -errno when the line
	 * could not be driven (its level is then unknown). */
	int (*drive)(void *ctx, size_t index, int value, int *level);
	/* A line released or a release that failed (from due() and
	 * release_all()). */
	void (*report)(void *ctx, const struct cs_actline_event *ev);
};

struct cs_actlines;

/* @safety_ns (> 0) bounds any on-time; @retry_ns (> 0) spaces the retries
 * of a failed release. NULL with errno EINVAL. */
CS_API struct cs_actlines *cs_actlines_create(const struct cs_actlines_ops *ops,
					      void *ctx, int64_t safety_ns,
					      int64_t retry_ns);
CS_API void cs_actlines_destroy(struct cs_actlines *l);
/* Add actuator @actuator (0..254) as the next line index: the index, or
 * -EEXIST, -ENOSPC (more than CS_ACTLINES_MAX), -EINVAL. */
#define CS_ACTLINES_MAX 64
CS_API int cs_actlines_add(struct cs_actlines *l, int actuator);
/* The line index of @actuator, or -ENOENT. */
CS_API int cs_actlines_find(const struct cs_actlines *l, int actuator);
CS_API size_t cs_actlines_count(const struct cs_actlines *l);
/*
 * Carry out @action (CS_ACT_OFF/ON/PULSE) on @actuator at @now_ns:
 * CS_ACT_DONE, CS_ACT_UNKNOWN (not in the table), CS_ACT_REFUSED (no such
 * action, or a pulse without a length), CS_ACT_GPIO (the line could not be
 * driven or read back; a line that may be high is then released at once,
 * and one driven high whose read-back failed keeps its timeout). *@level
 * (if not NULL) gets the level read back, -1 if unknown.
 */
CS_API int cs_actlines_command(struct cs_actlines *l, int actuator, int action,
			       int64_t pulse_ns, int sequence, int64_t now_ns,
			       int *level);
/* When the next release is due (INT64_MAX: none). */
CS_API int64_t cs_actlines_next(const struct cs_actlines *l);
/* Carry out the releases due at @now_ns: how many were attempted. */
CS_API int cs_actlines_due(struct cs_actlines *l, int64_t now_ns);
/* Release every line that may be high (driven by us and not read back
 * low since), each up to @attempts times: how many still may be high. */
CS_API int cs_actlines_release_all(struct cs_actlines *l,
				   unsigned int attempts);

/* ---------------------------------------------------------------------
 * Local rules over measurement records (canactuate -r), see
 * canactuate(1):
 *   COND [for TIME] -> ACTION[, ACTION...]
 *   COND   FIELD(SOURCE) OP VALUE; FIELD is "status" (OP = == !=, VALUE a
 *          word) or a quantity (OP < <= > >= == != =, VALUE a finite
 *          number)
 *   TIME   a number followed by ms or s (up to an hour)
 *   ACTION on|off actuatorN | pulse actuatorN TIME |
 *          send MESSAGE [SIGNAL=NUMBER ...]
 */
#define CS_ACTRULE_TEXT_MAX 256
#define CS_ACTRULE_MAX_ACTIONS 4
#define CS_ACTRULE_MAX_SETS 8
#define CS_ACTRULE_SEND 3	/* action kind besides CS_ACT_OFF/ON/PULSE */

struct cs_actrule_action {
	int kind;		/* CS_ACT_OFF, CS_ACT_ON, CS_ACT_PULSE,
				 * CS_ACTRULE_SEND */
	int actuator;		/* 0..254 */
	int64_t pulse_ns;
	const struct cs_dbc_message *msg;	/* send */
	size_t nsets;
	const struct cs_dbc_signal *sig[CS_ACTRULE_MAX_SETS];
	double val[CS_ACTRULE_MAX_SETS];
};

struct cs_actrule {
	char text[CS_ACTRULE_TEXT_MAX];
	int is_status;
	char quantity[CS_RECORD_QUANTITY_MAX];
	char source[CS_RECORD_SOURCE_MAX];
	char op[3];
	double value;
	char word[CS_RECORD_STATUS_MAX];
	int64_t hold_ns;
	size_t nactions;
	struct cs_actrule_action actions[CS_ACTRULE_MAX_ACTIONS];
	int64_t since;		/* condition true since (record time), -1 */
	int fired;
	unsigned long count;	/* times fired */
};

/* Parse @text into @r, send actions against @dbc (may be NULL: then no
 * send action parses). 0, or -EINVAL with *@column (1-based) and *@why. */
CS_API int cs_actrule_parse(const char *text, const struct cs_dbc *dbc,
			    struct cs_actrule *r, unsigned int *column,
			    const char **why);
/* Feed a record: 1 when the rule fires on it (its condition has held for
 * hold_ns of record time; it fires once and re-arms when a record makes
 * the condition false), 0 otherwise. */
CS_API int cs_actrule_push(struct cs_actrule *r, const struct cs_record *rec);

/* Narrow CAN_RAW socket @fd's receive filter to the @n (1..64) ids in
 * @ids (29-bit where @extended[i]), data frames only: 0 or -errno. Error
 * frames asked for with CS_CAN_OPEN_ERRORS still come. */
CS_API int cs_can_accept_ids(int fd, const uint32_t *ids, const int *extended,
			     size_t n);
/* The level last read back from @actuator's line: 0, 1, -1 unknown or
 * -ENOENT. */
CS_API int cs_actlines_level(const struct cs_actlines *l, int actuator);

#ifdef __cplusplus
}
#endif

#endif /* CELLSENSE_ACT_H */
