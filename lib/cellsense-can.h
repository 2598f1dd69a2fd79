/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libcellsense, CAN side: DBC databases, the record <-> frame mapping and
 * candump log lines. Same error convention as cellsense.h: constructors
 * return NULL with errno set, int functions return 0 (or a count / flag)
 * or a negative errno value, nothing here prints.
 */
#ifndef CELLSENSE_CAN_H
#define CELLSENSE_CAN_H

#include "cellsense.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------
 * Frames. Classical CAN uses 0..8 data bytes; CAN FD up to 64.
 */
#define CS_CAN_MAX_DLEN 64
#define CS_CAN_EFF_FLAG 0x80000000u	/* 29-bit identifier (as in DBC) */
#define CS_CAN_FLAG_FD 0x1		/* CAN FD frame */
#define CS_CAN_FLAG_RTR 0x2		/* remote request (no data) */
#define CS_CAN_FLAG_ERR 0x4		/* error frame: id holds the CAN_ERR_*
					 * class bits, data as in
					 * <linux/can/error.h> */

struct cs_can_frame {
	uint32_t id;		/* 11 or 29 bits, without CS_CAN_EFF_FLAG */
	int extended;		/* 1 for a 29-bit identifier */
	unsigned int flags;	/* CS_CAN_FLAG_* */
	unsigned int fd_flags;	/* CAN FD flags nibble (BRS 1, ESI 2) */
	uint8_t len;		/* data bytes, 0..CS_CAN_MAX_DLEN */
	uint8_t data[CS_CAN_MAX_DLEN];
};

/* Where a text (DBC, map, log line) is wrong: 1-based line and column. */
struct cs_can_error {
	unsigned long line;
	unsigned int column;
	char why[120];
};

/* ---------------------------------------------------------------------
 * DBC databases (Vector's CAN database text format).
 *
 * Understood: BO_ (messages, 11- and 29-bit ids), SG_ (signals: Intel @1
 * and Motorola @0 byte order, unsigned + and signed -, factor, offset,
 * min, max, unit; multiplexor "M", multiplexed "mN", both "mNM"),
 * SG_MUL_VAL_ (extended multiplexing: which multiplexor, which values),
 * VAL_ (value names), SIG_VALTYPE_ (IEEE float/double signals), the
 * SystemMessageLongName / SystemSignalLongName attributes (names longer
 * than 32 characters: found by either name). Signals whose bits overlap in
 * a frame where both are present are refused, naming both. Vector's
 * VECTOR__INDEPENDENT_SIG_MSG pseudo-message (signals of no frame) is read
 * and left out. Other statements (VERSION, NS_, BS_, BU_, CM_, BA_*, ...)
 * are read over, quoted strings included. Text may be UTF-8 or CP1252.
 */
enum cs_dbc_mux {
	CS_DBC_PLAIN = 0,	/* in every frame of its message */
	CS_DBC_MULTIPLEXOR,	/* "M": selects the multiplexed signals */
	CS_DBC_MULTIPLEXED,	/* "mN": present when the multiplexor is N */
};

enum cs_dbc_valtype {
	CS_DBC_INTEGER = 0,
	CS_DBC_FLOAT32,		/* SIG_VALTYPE_ ... : 1 */
	CS_DBC_FLOAT64,		/* SIG_VALTYPE_ ... : 2 */
};

struct cs_dbc_mux_range {
	uint64_t lo, hi;
};

struct cs_dbc_value_name {
	int64_t raw;
	const char *name;
};

/* A signal as the DBC describes it. Read only; owned by the database. */
struct cs_dbc_signal {
	const char *name;
	unsigned int start;	/* DBC start bit (LSB for Intel, MSB for
				 * Motorola, in DBC's sawtooth numbering) */
	unsigned int length;	/* bits, 1..64 */
	int big_endian;		/* 1 for Motorola (@0), 0 for Intel (@1) */
	int is_signed;		/* 1 for '-' */
	enum cs_dbc_valtype valtype;
	double factor;		/* physical = raw * factor + offset */
	double offset;
	double min, max;	/* physical range; min == max: none given */
	const char *unit;
	enum cs_dbc_mux mux;
	unsigned int mux_value;	/* for CS_DBC_MULTIPLEXED */
	size_t nvalues;		/* VAL_ entries */
	const struct cs_dbc_value_name *values;
	int is_multiplexor;	/* "M" or, extended, "mNM" */
	/* CS_DBC_MULTIPLEXED: the multiplexor that selects it (the "M"
	 * one, or the one SG_MUL_VAL_ names) and the values that do (one
	 * range [N, N] without SG_MUL_VAL_). */
	const struct cs_dbc_signal *selector;
	size_t nranges;
	const struct cs_dbc_mux_range *ranges;
	const char *long_name;	/* SystemSignalLongName, or NULL */
};

/* A message. Read only; owned by the database. */
struct cs_dbc_message {
	uint32_t id;		/* without the extended flag */
	int extended;
	const char *name;
	unsigned int dlc;	/* bytes, 0..64 */
	const char *comment;	/* CM_ BO_ text or NULL */
	size_t nsignals;
	const struct cs_dbc_signal *signals;
	const struct cs_dbc_signal *multiplexor; /* NULL if none */
	const char *long_name;	/* SystemMessageLongName, or NULL */
};

struct cs_dbc;

/* Parse @len bytes of DBC text. NULL with errno EBADMSG and @err filled
 * (if not NULL) on a syntax error, EINVAL for NULL @text, ENOMEM. */
CS_API struct cs_dbc *cs_dbc_create(const char *text, size_t len,
				    struct cs_can_error *err);
/* Same from a file; errno as from fopen()/read on I/O errors (then
 * err->line is 0 and err->why says which call failed). */
CS_API struct cs_dbc *cs_dbc_create_from_file(const char *path,
					      struct cs_can_error *err);
CS_API void cs_dbc_destroy(struct cs_dbc *dbc);

CS_API size_t cs_dbc_message_count(const struct cs_dbc *dbc);
CS_API const struct cs_dbc_message *cs_dbc_message_at(const struct cs_dbc *dbc,
						       size_t i);
/* NULL when there is no such message. */
CS_API const struct cs_dbc_message *
cs_dbc_message_by_id(const struct cs_dbc *dbc, uint32_t id, int extended);
CS_API const struct cs_dbc_message *
cs_dbc_message_by_name(const struct cs_dbc *dbc, const char *name);
CS_API const struct cs_dbc_signal *
cs_dbc_signal_by_name(const struct cs_dbc_message *msg, const char *name);

/* Raw bits of @sig in @data (@len bytes): 0, or -EINVAL if the signal
 * does not fit in @len bytes. Signed signals are sign-extended. */
CS_API int cs_dbc_signal_get_raw(const struct cs_dbc_signal *sig,
				 const uint8_t *data, size_t len,
				 uint64_t *raw);
CS_API int cs_dbc_signal_set_raw(const struct cs_dbc_signal *sig,
				 uint8_t *data, size_t len, uint64_t raw);

/* Flags returned by cs_dbc_signal_encode() and cs_canmap_encode(). */
#define CS_CAN_CLAMPED 0x1	/* a value was out of range and clamped */

/*
 * Encode the physical @value into @data: rounded to the nearest step,
 * clamped to [min, max] (when the DBC gives a range) and to what the raw
 * bits hold. Returns 0, CS_CAN_CLAMPED if the value was clamped, -EINVAL
 * if the signal does not fit in @len bytes, -EDOM for a NaN that the
 * signal cannot carry. NaN ("no value") is sent as the signal's "not
 * available" raw value (all ones if unsigned, the most negative value if
 * signed) when that value lies outside [min, max].
 */
CS_API int cs_dbc_signal_encode(const struct cs_dbc_signal *sig,
				uint8_t *data, size_t len, double value);
/* Decode the physical value (NaN for "not available"): 0 or -EINVAL. */
CS_API int cs_dbc_signal_decode(const struct cs_dbc_signal *sig,
				const uint8_t *data, size_t len,
				double *value);
/* 1 if @sig is in this frame of @msg (not multiplexed, or multiplexed
 * and the multiplexor holds its value), 0 if not, -EINVAL. */
CS_API int cs_dbc_signal_present(const struct cs_dbc_message *msg,
				 const struct cs_dbc_signal *sig,
				 const uint8_t *data, size_t len);
/* VAL_ look-ups: the name of @raw (NULL if none) and the raw value of
 * @name (0, or -ENOENT). */
CS_API const char *cs_dbc_value_name(const struct cs_dbc_signal *sig,
				     int64_t raw);
CS_API int cs_dbc_value_lookup(const struct cs_dbc_signal *sig,
			       const char *name, int64_t *raw);

/* ---------------------------------------------------------------------
 * Units. Names are compared after normalising their encoding (the degree
 * and micro signs in UTF-8 or CP1252, Greek mu and epsilon, the ohm sign,
 * blanks) and their aliases ("" and "-" are "1", ue and um/m are ustrain,
 * deg C is degC, percent is %); values convert between units of one kind
 * through SI prefixes (p n u m c h k M G) and the battery units: V, A, Ah,
 * As, W, Wh, J, Ohm, s, min, h, Hz, Pa, bar, psi, m, K, degC, degF,
 * strain, %, dB, 1; acoustic emission's dB_AE (re 1 uV), eu (1e-14 V^2 s)
 * and V2s, count2 and count2.s, each a kind of its own but eu and V2s.
 */
/* @unit in the spelling records use (degC, ustrain, u for micro, 1 for
 * none) into @buf: 0, -ENAMETOOLONG, -EINVAL. */
CS_API int cs_can_unit_normalise(const char *unit, char *buf, size_t size);
/* A value in @from is *@scale * value + *@offset in @to (an uncertainty:
 * |*@scale| times it). 0; -EDOM when the two are units of different kinds
 * of quantity (V and A); -ENOENT when one is not known and they differ
 * after normalising; -EINVAL. */
CS_API int cs_can_unit_convert(const char *from, const char *to,
			       double *scale, double *offset);

/* ---------------------------------------------------------------------
 * Mapping between measurement records and frames, see cellsense.map(5):
 *
 *   # SOURCE            QUANTITY    MESSAGE         SIGNAL     [KEY=VALUE...]
 *   fbg{Fibre}/g{Grating} wavelength FBG_Wavelength Wavelength status=Status
 *
 * SOURCE is an fnmatch(3)-style pattern (*, ?, [...]) in which {SIGNAL}
 * matches a decimal number that is sent in that signal; the record's
 * value goes to SIGNAL; KEY=VALUE pairs are SIGNAL=NUMBER (a constant,
 * e.g. a multiplexor value), status=SIGNAL (the status column through the
 * signal's VAL_ names) and uncertainty=SIGNAL. The first line that
 * matches wins. A pattern without wildcards can be reversed: frames are
 * named back by putting the decoded numbers in the braces.
 */
struct cs_canmap;

CS_API struct cs_canmap *cs_canmap_create(const char *text, size_t len,
					  const struct cs_dbc *dbc,
					  struct cs_can_error *err);
CS_API struct cs_canmap *cs_canmap_create_from_file(const char *path,
						    const struct cs_dbc *dbc,
						    struct cs_can_error *err);
CS_API void cs_canmap_destroy(struct cs_canmap *map);
CS_API size_t cs_canmap_count(const struct cs_canmap *map);

/*
 * Build the frame for @rec. Returns 0 or CS_CAN_CLAMPED (the frame is
 * made either way), -ENOENT when no line maps the record, -EBADMSG when
 * the record does not fit its line: its unit is not the signal's, its
 * status has no VAL_ name, or a number in its source is out of range
 * (*@why says which, if @why is not NULL).
 */
CS_API int cs_canmap_encode(const struct cs_canmap *map,
			    const struct cs_record *rec,
			    struct cs_can_frame *frame, const char **why);
/*
 * Records carried by @frame, received at @time_ns: fills up to @max
 * records and returns how many (0 when no line maps this frame), or
 * -ENOENT when the DBC has no message with this identifier.
 */
CS_API int cs_canmap_decode(const struct cs_canmap *map,
			    const struct cs_can_frame *frame, int64_t time_ns,
			    struct cs_record *rec, size_t max);

/* Which map line (0-based index) @rec matches: the index, -ENOENT. */
CS_API int cs_canmap_find(const struct cs_canmap *map,
			  const struct cs_record *rec);

/* ---------------------------------------------------------------------
 * Bus budget: frame lengths and a rate planner.
 *
 * Frame length on the wire in the worst case of bit stuffing, interframe
 * space included (Davis et al., "Controller Area Network (CAN)
 * schedulability analysis", 2007, for classical frames):
 *   classical, 11-bit id:  8n + 47 + floor((34 + 8n - 1) / 4) bits
 *   classical, 29-bit id:  8n + 67 + floor((54 + 8n - 1) / 4) bits
 * CAN FD (n padded to a valid FD length): the arbitration phase (SOF to
 * BRS: 17 bits, 36 with a 29-bit id) plus CRC delimiter, ACK, EOF and IFS
 * (13 bits) at the nominal rate; ESI, DLC, data, stuff count (4), CRC (17
 * bits up to 16 bytes, else 21) and its fixed stuff bits (6 or 7) at the
 * data rate when BRS is set. Dynamic stuff bits, floor((L - 1) / 4) over
 * the L bits from SOF to the end of the data field, are counted in the
 * phase they fall in: floor((A - 1) / 4) of them in the A arbitration
 * bits, the rest in the data phase.
 */
/* Bits at the nominal and at the data bit rate (the latter 0 unless the
 * frame is CAN FD with BRS): 0, or -EINVAL for a bad length. */
CS_API int cs_can_frame_bits(const struct cs_can_frame *frame,
			     unsigned int *nominal_bits,
			     unsigned int *data_bits);
/* Seconds on the bus at @bitrate (and @data_bitrate for BRS frames; 0:
 * same as @bitrate); NAN for a bad frame or rate. */
CS_API double cs_can_frame_seconds(const struct cs_can_frame *frame,
				   double bitrate, double data_bitrate);

/*
 * How a kind of record (one source and quantity: a "slot") is sent. All
 * policies send a slot at most once per period (stretched when the plan
 * is over budget) and only when a record came since the last frame:
 *   last    the latest value (decimation)
 *   mean    the mean of the period's values (status and uncertainty of
 *           the latest)
 *   min/max the smallest / largest value of the period
 *   change  the latest value, only when its frame differs from the last
 *           one sent (i.e. by at least the DBC resolution), and at least
 *           every 10 periods
 */
enum cs_canplan_policy {
	CS_CANPLAN_LAST = 0,
	CS_CANPLAN_MEAN,
	CS_CANPLAN_MIN,
	CS_CANPLAN_MAX,
	CS_CANPLAN_CHANGE,
};
/* Name <-> value: the policy, or -EINVAL; NULL for a bad value. */
CS_API int cs_canplan_policy_parse(const char *name);
CS_API const char *cs_canplan_policy_name(int policy);

/* A map line's scheduling keys: every=MS, policy=NAME, sources=N. */
struct cs_canmap_policy {
	int64_t period_ns;	/* 0: the planner's default */
	int policy;		/* enum cs_canplan_policy, -1: default */
	unsigned int sources;	/* expected slots, 0: 1 */
};
/* Line @i of @map: its message, keys and line number in the map text
 * (any pointer may be NULL). 0 or -EINVAL. */
CS_API int cs_canmap_line(const struct cs_canmap *map, size_t i,
			  const struct cs_dbc_message **msg,
			  struct cs_canmap_policy *policy,
			  unsigned long *lineno);

struct cs_canplan_config {
	double bitrate;		/* nominal bit/s, 1e3..1e6 */
	double data_bitrate;	/* CAN FD data phase bit/s with BRS, 0: no
				 * BRS; else bitrate..1.6e7 */
	double load_max;	/* bus-load ceiling, (0, 1]; 0: none (only
				 * for benchmarks on vcan) */
	int64_t period_ns;	/* default period, 1 ms..1 h, or 0: as the
				 * records come, within the budget (such
				 * lines are left out of planned_load) */
	int policy;		/* default enum cs_canplan_policy */
	size_t max_slots;	/* slots kept at most, 1..65536 */
	int64_t burst_ns;	/* budget bucket depth: what load_max allows
				 * in this much time (at least one frame);
				 * 0: 10 ms; 0..1 s. Over any window W the
				 * frames take at most load_max * (W +
				 * burst) of bus time. */
};

struct cs_canplan_stats {
	uint64_t records;	/* pushed and accepted */
	uint64_t frames;	/* frames released by cs_canplan_next() */
	uint64_t aggregated;	/* records folded into a frame with others
				 * (sent as a mean/min/max/latest) */
	uint64_t unchanged;	/* change policy: frames not sent, same */
	uint64_t dropped;	/* records refused: slot table full */
	uint64_t deferred;	/* times a due frame waited for budget */
	uint64_t clamped;	/* frames with a value clamped to its range */
	uint64_t replans;	/* times the plan was stretched */
	uint64_t waiting;	/* records folded in slots, not yet sent */
	size_t slots;		/* slots in use */
	double planned_load;	/* bus load of the lines with a period,
				 * fraction of bitrate, <= load_max */
	double stretch;		/* periods are multiplied by this, >= 1 */
	double bus_seconds;	/* bus time of the frames released */
	size_t groups;		/* kinds of frame (message, multiplexor
				 * value, source numbers) in use */
	uint64_t held;		/* signals sent with their last value
				 * (hold=), no fresh one */
	uint64_t absent;	/* signals sent as not available: a frame's
				 * member without a value */
	uint64_t unfilled;	/* frames with a signal that can say
				 * neither a value nor "not available" */
	const char *unfilled_signal; /* one such signal's name */
};

struct cs_canplan;

/* A planner over @map (which must outlive it). A map line enters the plan
 * with its first record, with its sources= frames at its period (all of
 * them at once: a family does not replan member by member); a line no
 * record comes for takes no bus time. NULL with errno EINVAL for a bad
 * parameter. */
CS_API struct cs_canplan *cs_canplan_create(const struct cs_canmap *map,
					    const struct cs_canplan_config *c);
CS_API void cs_canplan_destroy(struct cs_canplan *plan);
/*
 * Take @rec, at time @now_ns (any monotonic time base, the same for every
 * call). 0 when it was taken, CS_CAN_CLAMPED when taken but its value is
 * outside its signal's range (it will be clamped); -ENOENT when no map
 * line matches; -EBADMSG
 * when it does not fit its line (*@why says why); -ENOSPC when it is a new
 * kind and max_slots are in use (counted as dropped). A new kind may
 * stretch the plan (replans).
 */
CS_API int cs_canplan_push(struct cs_canplan *plan, const struct cs_record *rec,
			   int64_t now_ns, const char **why);
/*
 * The next frame due at @now_ns within the budget: 1 and @frame filled
 * (its bus time is charged to the budget), or 0 when none is due now, then
 * *@next_ns (if not NULL) is when to ask again (INT64_MAX: nothing
 * pending). Negative errno on bad arguments.
 */
CS_API int cs_canplan_next(struct cs_canplan *plan, int64_t now_ns,
			   struct cs_can_frame *frame, int64_t *next_ns);
CS_API int cs_canplan_stats(const struct cs_canplan *plan,
			    struct cs_canplan_stats *st);
/* Frames the plan counts for map line @line once it has a record: its
 * sources= (default 1), or for a family (a source with a free {NAME},
 * cell{Cell}) the distinct frames its sources= members fill (180 cells six
 * a frame: 30). 0 for a bad argument. */
CS_API unsigned int cs_canplan_line_frames(const struct cs_canplan *plan,
					   size_t line);

/* ---------------------------------------------------------------------
 * candump logs. Reads both `candump -L` lines
 *   (1700000000.123456) can0 123#DEADBEEF      (also 1F334455#, 123#R,
 *                                               123##1<fd data>)
 * and candump's default screen lines, with or without a -t a timestamp
 *   (1700000000.123456)  vcan0  123   [4]  DE AD BE EF
 *   vcan0  123   [4]  DE AD BE EF
 * Returns 0 and fills @frame, @iface (NUL-terminated, up to @iface_size)
 * and *@time_ns (-1 if the line has no timestamp); -ENOMSG for a blank or
 * '#' comment line; -EOVERFLOW for a DROPCOUNT line (see
 * cs_candump_drops()); -EBADMSG with *@column (1-based) and *@why set.
 * Also read: remote frames (123#R, 123#R8; "remote request" on screen:
 * CS_CAN_FLAG_RTR, no data), error frames (an 8-digit id with CAN_ERR_FLAG
 * 0x20000000: CS_CAN_FLAG_ERR, id the class bits), candump -x's direction
 * (" R"/" T" after -L lines; "RX - -", "TX B E" after the interface on
 * screen), -t A dates "(2026-12-02 04:30:00.123456)" (local time), -t d
 * and -t z "(000.001234)" (taken as they are). A CAN FD frame of a length
 * that is not a CAN FD length (9 bytes, ...) is refused.
 */
CS_API int cs_candump_parse(const char *line, struct cs_can_frame *frame,
			    int64_t *time_ns, char *iface, size_t iface_size,
			    unsigned int *column, const char **why);
/* A candump DROPCOUNT line ("DROPCOUNT: dropped 3 CAN frames on 'can0'
 * socket (total drops 5)"): 1 and *@dropped set; 0 for another line;
 * -EBADMSG for a DROPCOUNT line that says no count. */
CS_API int cs_candump_drops(const char *line, unsigned long *dropped);
/* Write `(sec.usec) IFACE ID#HEX` (no newline) into @buf: the length, or
 * -ENOSPC / -EINVAL. Negative times are refused. */
CS_API int cs_candump_format(char *buf, size_t size, int64_t time_ns,
			     const char *iface,
			     const struct cs_can_frame *frame);

/* ---------------------------------------------------------------------
 * SocketCAN raw sockets.
 */
#define CS_CAN_OPEN_FD 0x1	/* accept and send CAN FD frames */
#define CS_CAN_OPEN_NONBLOCK 0x2 /* non-blocking socket */
#define CS_CAN_OPEN_RECV 0x4	/* receive frames (else a filter drops all) */
#define CS_CAN_OPEN_ERRORS 0x8	/* receive error frames (CAN_ERR_MASK) */

/*
 * A CAN_RAW socket bound to @iface: the descriptor, or -ENODEV (no such
 * interface), -EMEDIUMTYPE (@iface is not a CAN interface), -errno of
 * socket()/bind()/setsockopt() otherwise (-EAFNOSUPPORT: no CAN in the
 * kernel).
 */
CS_API int cs_can_open(const char *iface, unsigned int flags);
/* 1 if @iface is up, 0 if down, -errno. */
CS_API int cs_can_iface_up(const char *iface);
/* Write one frame: 0 or -errno (-EAGAIN/-ENOBUFS: queue full, -ENETDOWN:
 * interface down, -EINVAL: a CAN FD frame on a classical socket). */
CS_API int cs_can_send(int fd, const struct cs_can_frame *frame);
/* Read one frame and its reception time (CLOCK_REALTIME, ns): 0 or
 * -errno (-EAGAIN, -EINTR, ...). */
CS_API int cs_can_recv(int fd, struct cs_can_frame *frame, int64_t *time_ns);

/* ---------------------------------------------------------------------
 * Find a shipped data file (e.g. "cellsense.dbc"): $CELLSENSE_DATADIR,
 * then ../share/cellsense beside the running program, then the compiled-in
 * data directory, then ../../dbc beside the program (a build tree).
 * 0 and @path filled, or -ENOENT.
 */
CS_API int cs_can_find_data(const char *name, char *path, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* CELLSENSE_CAN_H */
