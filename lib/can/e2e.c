// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * End-to-end protection of frames: CRC-8 SAE J1850 and the receiver's
 * counter and freshness check (cellsense E2E-8, see cellsense-act.h).
 */
#include <errno.h>
#include <stddef.h>

#include "cellsense-act.h"

/* Polynomial x^8 + x^4 + x^3 + x^2 + 1, MSB first. */
#define J1850_POLY 0x1d

uint8_t cs_crc8_sae_j1850_update(uint8_t crc, const uint8_t *data, size_t len)
{
	unsigned int c = crc ^ 0xffu;	/* undo the previous final XOR */
	size_t i;
	int b;

	for (i = 0; i < len; i++) {
		c ^= data[i];
		for (b = 0; b < 8; b++)
			c = c & 0x80 ? ((c << 1) ^ J1850_POLY) & 0xff :
				       (c << 1) & 0xff;
	}
	return (uint8_t)(c ^ 0xffu);
}

uint8_t cs_crc8_sae_j1850(const uint8_t *data, size_t len)
{
	return cs_crc8_sae_j1850_update(0x00, data, len);
}

uint8_t cs_e2e_crc(uint16_t data_id, const uint8_t *data, size_t len,
		   unsigned int crc_byte)
{
	uint8_t id[2] = { (uint8_t)(data_id & 0xff), (uint8_t)(data_id >> 8) };
	uint8_t crc = cs_crc8_sae_j1850(id, 2);

	if (crc_byte >= len)
		return cs_crc8_sae_j1850_update(crc, data, len);
	crc = cs_crc8_sae_j1850_update(crc, data, crc_byte);
	return cs_crc8_sae_j1850_update(crc, data + crc_byte + 1,
					len - crc_byte - 1);
}

int cs_e2e_check(const struct cs_e2e_config *c, struct cs_e2e_state *st,
		 unsigned int counter, int crc_ok, int64_t now_ns)
{
	unsigned int mod, delta;
	int fresh;

	if (!c || !st || c->counter_bits < 1 || c->counter_bits > 8 ||
	    c->window_ns <= 0)
		return -EINVAL;
	mod = 1u << c->counter_bits;
	if (c->max_delta < 1 || c->max_delta >= mod || counter >= mod)
		return -EINVAL;
	if (!crc_ok)
		return CS_E2E_CORRUPT;
	/* a clock going back is no reason to trust a frame */
	fresh = st->synced && now_ns >= st->time_ns &&
		now_ns - st->time_ns <= c->window_ns;
	delta = (counter + mod - st->counter) % mod;
	if (fresh && delta == 0)
		return CS_E2E_REPEATED;
	st->synced = 1;
	st->counter = counter;
	st->time_ns = now_ns;
	if (!fresh)
		return CS_E2E_STALE;
	return delta <= c->max_delta ? CS_E2E_OK : CS_E2E_OUT_OF_ORDER;
}

const char *cs_e2e_status_name(int status)
{
	static const char *const names[] = { "ok", "repeated", "stale",
					     "out-of-order", "corrupt" };

	if (status < 0 || status > CS_E2E_CORRUPT)
		return NULL;
	return names[status];
}
