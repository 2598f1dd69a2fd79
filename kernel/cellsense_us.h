/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Register interface of the cellsense ultrasonic digitiser board, shared by
 * the driver (cellsense_us.c) and the board model (simbus/us.c).
 *
 * The interface is specified in docs/us-board.md; keep the two in step.
 */
#ifndef _CELLSENSE_US_H
#define _CELLSENSE_US_H

#include <linux/bits.h>

/* SPI frame: one command byte (R/W flag + address), then 32-bit words MSB first */
#define US_SPI_READ			BIT(7)
#define US_SPI_ADDR_MASK		GENMASK(6, 0)

#define US_REG_ID			0x00
#define US_REG_VERSION			0x01
#define US_REG_CTRL			0x02
#define US_REG_STATUS			0x03
#define US_REG_OVR_COUNT		0x04
#define US_REG_CLK_DIV			0x05
#define US_REG_REC_LEN			0x06
#define US_REG_GAIN			0x07
#define US_REG_AVG			0x08
#define US_REG_FIFO_LEVEL		0x09
#define US_REG_FIFO_DEPTH		0x0a
#define US_REG_TRIG_COUNT		0x0b
#define US_REG_FIFO_DATA		0x10
#define US_REG_MAX			0x10

#define US_ID_MAGIC			0x55534431	/* "USD1" */

#define US_VERSION_HW			GENMASK(31, 16)
#define US_VERSION_FW_MAJOR		GENMASK(15, 8)
#define US_VERSION_FW_MINOR		GENMASK(7, 0)
#define US_FW_MAJOR			1

#define US_CTRL_RUN			BIT(0)
#define US_CTRL_FIFO_FLUSH		BIT(1)
#define US_CTRL_DRDY_EN			BIT(2)
#define US_CTRL_MODE			GENMASK(5, 4)
#define US_CTRL_RESET			BIT(31)

enum us_mode {
	US_MODE_PULSE_ECHO,		/* pulser and receiver on transducer A */
	US_MODE_THROUGH,		/* pulser on A, receiver on B */
	US_MODE_CONTINUOUS,		/* no pulser: the stream (acoustic emission) */
};

#define US_STATUS_RUNNING		BIT(0)
#define US_STATUS_OVR			BIT(1)
#define US_STATUS_SAT			BIT(2)
#define US_STATUS_FIFO_LEVEL		GENMASK(15, 8)
/* Read as 0 from a live board: set means the bus reads all ones */
#define US_STATUS_RESERVED		GENMASK(31, 16)

/* Sampling clock: 80 MHz (the AD9649-80's) divided by 2^CLK_DIV */
#define US_CLK_HZ			80000000
#define US_CLK_DIV_MAX			7

/* Record length: samples per shot (or per block in continuous mode) */
#define US_SAMPLES_PER_BLOCK		128
#define US_REC_LEN_MIN			128
#define US_REC_LEN_MAX			4096

/* Receiver gain (LNA + VGA, AD8331-class), whole dB */
#define US_GAIN_MAX_DB			48

/* Shots averaged per record: 2^AVG */
#define US_AVG_MAX_LOG2			6

/* FIFO record: a 16-byte header, then REC_LEN samples, LE s16 */
#define US_REC_HDR_BYTES		16
#define US_REC_SYNC			0xa5
#define US_REC_OFF_SYNC			0
#define US_REC_OFF_FLAGS		1
#define US_REC_OFF_BLOCKS		2	/* LE u16: REC_LEN / 128 */
#define US_REC_OFF_SHOT			4	/* LE u32: trigger number */
#define US_REC_OFF_INDEX		8	/* LE u64: first sample's index */
#define US_REC_FLAG_SAT			BIT(0)
#define US_REC_FLAG_CONTINUOUS		BIT(1)

#endif /* _CELLSENSE_US_H */
