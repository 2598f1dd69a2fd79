/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libcellsense, input layer: BioLogic EC-Lab text exports (.mpt, .txt) of
 * potentiostat runs, one line a reading: TAB-separated columns named
 * "quantity/unit" (time/s, Ewe/V, Ece/V, Ewe-Ece/V, I/mA, Capacity/mA.h,
 * ...), decimal points or decimal commas (as the exporting PC's locale
 * had it), optionally after a header block that starts "EC-Lab ASCII FILE"
 * and says "Nb header lines : N" (the column names are line N). Lines are
 * pushed one at a time, so that any reader (a file, a pipe, a buffer
 * already sniffed) can feed them. Same error convention as cellsense.h.
 */
#ifndef CELLSENSE_ECLAB_H
#define CELLSENSE_ECLAB_H

#include "cellsense.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The columns taken, in SI units; the rest are ignored. */
enum cs_eclab_column {
	CS_ECLAB_TIME = 0,	/* s: time/s */
	CS_ECLAB_EWE,		/* V: Ewe/V, <Ewe>/V (or /mV) */
	CS_ECLAB_ECE,		/* V: Ece/V, <Ece>/V (or /mV) */
	CS_ECLAB_EWE_ECE,	/* V: Ewe-Ece/V, <Ewe-Ece>/V, Ecell/V */
	CS_ECLAB_CURRENT,	/* A: I/mA, <I>/mA, I/A, <I>/A; > 0 anodic
				 * at the working electrode */
	CS_ECLAB_CHARGE,	/* Ah: (Q-Qo)/mA.h, else Q charge/discharge/
				 * mA.h, else Capacity/mA.h (or /A.h) */
	CS_ECLAB_NCOL,
};

/* "time", "Ewe", "Ece", "Ewe-Ece", "I", "charge"; NULL for a bad index. */
CS_API const char *cs_eclab_column_name(unsigned int col);

/* 1 when the first @len bytes at @head look like the start of an export
 * (the header block's first line, or a first line of TAB-separated names
 * with time/s among them), 0 otherwise. */
CS_API int cs_eclab_detect(const void *head, size_t len);

struct cs_eclab;

CS_API struct cs_eclab *cs_eclab_create(void);
CS_API void cs_eclab_destroy(struct cs_eclab *q);
/*
 * The next line of the file (its newline, and a CR before it, optional).
 * 1: a reading, @row (CS_ECLAB_NCOL values) filled, NAN for a column the
 * file does not have; 0: a line of the header (nothing in @row);
 * -EBADMSG: a reading that cannot be read (a field not a number, too few
 * fields), counted, cs_eclab_error() says why, reading may go on;
 * -EINVAL: the header is unusable (no time/s column, a header block
 * without its line count), nothing after it can be read.
 */
CS_API int cs_eclab_line(struct cs_eclab *q, const char *line, double *row);
CS_API const char *cs_eclab_error(const struct cs_eclab *q);
/* After the column names: 1 when the file has column @col. */
CS_API int cs_eclab_has(const struct cs_eclab *q, unsigned int col);
/* The coarsest step of the digits written in column @col so far, in its
 * SI unit (the export's quantisation); NAN before any reading. */
CS_API double cs_eclab_resolution(const struct cs_eclab *q, unsigned int col);
/* What the charge column is: (Q-Qo), a running total through the working
 * electrode (> 0 oxidising it); Q charge/discharge, signed the same way
 * but starting again at 0 with each half cycle; Capacity, the same
 * without its sign. */
enum cs_eclab_charge_kind {
	CS_ECLAB_Q_NONE = 0,
	CS_ECLAB_Q_TOTAL,	/* (Q-Qo) */
	CS_ECLAB_Q_HALF_CYCLE,	/* Q charge/discharge */
	CS_ECLAB_Q_CAPACITY,	/* Capacity */
};
CS_API enum cs_eclab_charge_kind cs_eclab_charge_kind(const struct cs_eclab *q);
/* The column's name as the file wrote it ("" when none). */
CS_API const char *cs_eclab_charge_name(const struct cs_eclab *q);
/*
 * The charge through the working electrode since the first reading, Ah
 * (> 0 oxidising it), from a reading's @row whatever the column's kind:
 * (Q-Qo) less its first value; Q charge/discharge and Capacity summed
 * across their restarts (a value nearer 0 than the last by more than two
 * of the column's resolution starts a half cycle; Capacity takes the sign
 * of the current at the start of its half cycle, and without a current
 * column it is refused).
 * Call once per reading, in order. NAN when the file has no charge column
 * (or Capacity without current), or the reading has none.
 */
CS_API double cs_eclab_charge(struct cs_eclab *q, const double *row);
/* Half-cycle restarts seen by cs_eclab_charge(). */
CS_API unsigned long cs_eclab_charge_restarts(const struct cs_eclab *q);

/* 1 when the numbers seen had decimal commas. */
CS_API int cs_eclab_decimal_comma(const struct cs_eclab *q);
/* Readings returned, and lines refused with -EBADMSG. */
CS_API unsigned long cs_eclab_rows(const struct cs_eclab *q);
CS_API unsigned long cs_eclab_bad(const struct cs_eclab *q);

#ifdef __cplusplus
}
#endif

#endif /* CELLSENSE_ECLAB_H */
