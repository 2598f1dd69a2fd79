/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * TI ADS131M04 (4-channel simultaneous-sampling 24-bit delta-sigma ADC):
 * the parts of its SPI interface the cellsense reference-electrode driver
 * and the simulated board share. Datasheet: TI SBAS890 (ADS131M04).
 */
#ifndef _CELLSENSE_RE_H
#define _CELLSENSE_RE_H

#include <linux/bits.h>

#define ADS131M04_NUM_CH	4
#define ADS131M04_WORD_BYTES	3	/* 24-bit words (MODE.WLENGTH = 01b) */
/* Frame: command/response, 4 channel words, CRC word */
#define ADS131M04_FRAME_WORDS	(ADS131M04_NUM_CH + 2)
#define ADS131M04_FRAME_BYTES	(ADS131M04_FRAME_WORDS * ADS131M04_WORD_BYTES)

/* Commands (16 bits, MSB-aligned in a word) */
#define ADS131M04_CMD_NULL	0x0000
#define ADS131M04_CMD_RESET	0x0011
#define ADS131M04_CMD_STANDBY	0x0022
#define ADS131M04_CMD_WAKEUP	0x0033
#define ADS131M04_CMD_RREG(a, n)	(0xa000 | ((a) << 7) | ((n) - 1))
#define ADS131M04_CMD_WREG(a, n)	(0x6000 | ((a) << 7) | ((n) - 1))
#define ADS131M04_CMD_ADDR(c)	(((c) >> 7) & 0x3f)
#define ADS131M04_CMD_IS_RREG(c)	(((c) & 0xe000) == 0xa000)
#define ADS131M04_CMD_IS_WREG(c)	(((c) & 0xe000) == 0x6000)
/* Responses */
#define ADS131M04_RESP_RESET	0xff24	/* 0xff20 | channel count */
#define ADS131M04_RESP_WREG(a, n)	(0x4000 | ((a) << 7) | ((n) - 1))

/* Registers */
#define ADS131M04_REG_ID	0x00
#define ADS131M04_REG_STATUS	0x01
#define ADS131M04_REG_MODE	0x02
#define ADS131M04_REG_CLOCK	0x03
#define ADS131M04_REG_GAIN1	0x04
#define ADS131M04_REG_CFG	0x06
#define ADS131M04_REG_CH_CFG(n)	(0x09 + 5 * (n))
#define ADS131M04_REG_REGMAP_CRC	0x3e
#define ADS131M04_REG_MAX	0x3e

#define ADS131M04_ID_MASK	0xff00
#define ADS131M04_ID		0x2400	/* ADS131M04: 4 channels */

#define ADS131M04_STATUS_CRC_ERR	BIT(12)	/* input CRC failed */
#define ADS131M04_STATUS_RESET	BIT(10)
#define ADS131M04_STATUS_DRDY	GENMASK(3, 0)

#define ADS131M04_MODE_RX_CRC_EN	BIT(12)
#define ADS131M04_MODE_RESET	BIT(10)
#define ADS131M04_MODE_WLENGTH	GENMASK(9, 8)
#define ADS131M04_MODE_TIMEOUT	BIT(4)
#define ADS131M04_MODE_DEFAULT	0x0510

#define ADS131M04_CLOCK_CH_EN	GENMASK(11, 8)
#define ADS131M04_CLOCK_OSR	GENMASK(4, 2)
#define ADS131M04_CLOCK_PWR	GENMASK(1, 0)
#define ADS131M04_CLOCK_PWR_HR	2
#define ADS131M04_CLOCK_DEFAULT	0x0f0e	/* OSR 1024, high resolution */

#define ADS131M04_GAIN_MASK(ch)	(0x7 << (4 * (ch)))

/* fMOD = fCLKIN / 2 in high-resolution mode; data rate = fMOD / OSR */
#define ADS131M04_NUM_OSR	8
static const unsigned int ads131m04_osr[ADS131M04_NUM_OSR] = {
	128, 256, 512, 1024, 2048, 4096, 8192, 16256,
};

/* CRC-16-CCITT, polynomial 0x1021, seed 0xffff, MSB first */
static inline u16 ads131m04_crc(const u8 *buf, unsigned int len)
{
	u16 crc = 0xffff;
	unsigned int i, b;

	for (i = 0; i < len; i++) {
		crc ^= (u16)buf[i] << 8;
		for (b = 0; b < 8; b++)
			crc = crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1;
	}

	return crc;
}

#endif /* _CELLSENSE_RE_H */
