/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Register interface of the cellsense FBG interrogator board, shared by the
 * driver (cellsense_fbg.c) and the board model (simbus/fbg.c).
 *
 * The interface is specified in docs/fbg-board.md; keep the two in step.
 */
#ifndef _CELLSENSE_FBG_H
#define _CELLSENSE_FBG_H

#include <linux/bits.h>

/* SPI frame: one command byte (R/W flag + address), then 32-bit words MSB first */
#define FBG_SPI_READ			BIT(7)
#define FBG_SPI_ADDR_MASK		GENMASK(6, 0)

#define FBG_REG_ID			0x00
#define FBG_REG_VERSION			0x01
#define FBG_REG_CTRL			0x02
#define FBG_REG_STATUS			0x03
#define FBG_REG_OVR_COUNT		0x04
#define FBG_REG_PIXELS			0x05
#define FBG_REG_INT_TIME		0x06
#define FBG_REG_SCAN_PERIOD		0x07
#define FBG_REG_FIFO_LEVEL		0x08
#define FBG_REG_FIFO_DEPTH		0x09
#define FBG_REG_SWITCH			0x0a
#define FBG_REG_FIBRES			0x0b
#define FBG_REG_ROI			0x0c
#define FBG_REG_FIFO_DATA		0x10
/* A0..A3, each a signed 64-bit value split into HI then LO word */
#define FBG_REG_CAL_HI(k)		(0x20 + 2 * (k))
#define FBG_REG_CAL_LO(k)		(0x21 + 2 * (k))
#define FBG_REG_MAX			0x27

#define FBG_ID_MAGIC			0x46424731	/* "FBG1" */

#define FBG_VERSION_HW			GENMASK(31, 16)
#define FBG_VERSION_FW_MAJOR		GENMASK(15, 8)
#define FBG_VERSION_FW_MINOR		GENMASK(7, 0)

#define FBG_CTRL_RUN			BIT(0)
#define FBG_CTRL_FIFO_FLUSH		BIT(1)
#define FBG_CTRL_DRDY_EN		BIT(2)
#define FBG_CTRL_RESET			BIT(31)

#define FBG_STATUS_RUNNING		BIT(0)
#define FBG_STATUS_OVR			BIT(1)
#define FBG_STATUS_SAT			BIT(2)
#define FBG_STATUS_FIFO_LEVEL		GENMASK(15, 8)
/* Read as 0 from a live board: set means the bus reads all ones */
#define FBG_STATUS_RESERVED		GENMASK(31, 16)

/* SWITCH: fibres of the optical switch sequence, one spectrum each */
#define FBG_SWITCH_MASK			GENMASK(15, 0)
#define FBG_MAX_FIBRES			16

/* ROI: blocks of FBG_PIX_PER_BLOCK pixels read out per spectrum */
#define FBG_ROI_FIRST			GENMASK(7, 0)
#define FBG_ROI_BLOCKS			GENMASK(15, 8)	/* 0: to the last */

/* FIFO record: an 8-byte header, then the ROI's pixels (LE u16) */
#define FBG_REC_HDR_BYTES		8
#define FBG_REC_SYNC			0xa5
#define FBG_REC_OFF_SYNC		0
#define FBG_REC_OFF_FIBRE		1
#define FBG_REC_OFF_SEQ			2	/* LE u16 */
#define FBG_REC_OFF_FLAGS		4
#define FBG_REC_OFF_ROI_FIRST		5
#define FBG_REC_OFF_ROI_BLOCKS		6
#define FBG_REC_OFF_RESERVED		7	/* 0 */
#define FBG_REC_FLAG_SAT		BIT(0)
/* Firmware major version that speaks this interface */
#define FBG_FW_MAJOR			2

#define FBG_INT_TIME_MIN_US		1
#define FBG_INT_TIME_MAX_US		1000000
#define FBG_SCAN_PERIOD_MIN_US		200	/* 5000 spectra/s */
#define FBG_SCAN_PERIOD_MAX_US		1000000	/* 1 spectrum/s */
/* readout overhead: INT_TIME is clamped to SCAN_PERIOD - this */
#define FBG_READOUT_US			20
#define FBG_RESET_US			1000

/* Pixels travel in blocks of this many per IIO channel (scan_type.repeat) */
#define FBG_PIX_PER_BLOCK		128
#define FBG_MAX_PIXELS			1024
#define FBG_NUM_CAL			4
/* A_k is stored as round(A_k * 10^(FBG_CAL_FRAC_DIGITS(k))) */
#define FBG_CAL_FRAC_DIGITS(k)		(9 + 3 * (k))

#endif /* _CELLSENSE_FBG_H */
