// SPDX-License-Identifier: GPL-2.0-or-later
/* E2E-8: CRC-8 SAE J1850 against published check values, and the
 * receiver's counter and freshness check, one test per refusal. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cellsense-act.h"

#define MS 1000000ll

/* The catalogue check value (CRC-8/SAE-J1850: poly 0x1D, init 0xFF,
 * xorout 0xFF) and AUTOSAR's SWS CRC Library table for Crc_CalculateCRC8. */
static void crc_check_values(void **state)
{
	static const struct {
		uint8_t data[9];
		size_t len;
		uint8_t crc;
	} v[] = {
		{ "123456789", 9, 0x4b },
		{ { 0x00, 0x00, 0x00, 0x00 }, 4, 0x59 },
		{ { 0xf2, 0x01, 0x83 }, 3, 0x37 },
		{ { 0x0f, 0xaa, 0x00, 0x55 }, 4, 0x79 },
		{ { 0x00, 0xff, 0x55, 0x11 }, 4, 0xb8 },
		{ { 0x33, 0x22, 0x55, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff },
		  9, 0xcb },
		{ { 0x92, 0x6b, 0x55 }, 3, 0x8c },
		{ { 0xff, 0xff, 0xff, 0xff }, 4, 0x74 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		assert_int_equal(cs_crc8_sae_j1850(v[i].data, v[i].len),
				 v[i].crc);
	/* empty input: the initial value through the final XOR */
	assert_int_equal(cs_crc8_sae_j1850(NULL, 0), 0x00);
}

/* Chained over two calls = one call over the whole. */
static void crc_chains(void **state)
{
	const uint8_t *d = (const uint8_t *)"123456789";

	(void)state;
	assert_int_equal(cs_crc8_sae_j1850_update(cs_crc8_sae_j1850(d, 4),
						  d + 4, 5), 0x4b);
}

/* The frame CRC is the CRC over data id (low, high) and the other bytes:
 * built here by hand, byte by byte. */
static void frame_crc_layout(void **state)
{
	const uint8_t frame[8] = { 0x00, 0x31, 0x07, 0x00, 0x00, 0x00, 0x00,
				   0xee };
	/* CRC in byte 7: data id F0 03, then bytes 0..6 */
	const uint8_t last[9] = { 0xf0, 0x03, 0x00, 0x31, 0x07, 0x00, 0x00,
				  0x00, 0x00 };
	/* CRC in byte 2: data id, bytes 0, 1, 3..7 */
	const uint8_t third[9] = { 0xf0, 0x03, 0x00, 0x31, 0x00, 0x00, 0x00,
				   0x00, 0xee };

	(void)state;
	assert_int_equal(cs_e2e_crc(0x3f0, frame, 8, 7),
			 cs_crc8_sae_j1850(last, 9));
	assert_int_equal(cs_e2e_crc(0x3f0, frame, 8, 2),
			 cs_crc8_sae_j1850(third, 9));
	/* another data id gives another CRC */
	assert_int_not_equal(cs_e2e_crc(0x3f0, frame, 8, 7),
			     cs_e2e_crc(0x3f2, frame, 8, 7));
}

static const struct cs_e2e_config cfg = { 4, 1, 1000 * MS };

static void first_frame_is_stale_then_in_sequence(void **state)
{
	struct cs_e2e_state st = { 0 };

	(void)state;
	assert_int_equal(cs_e2e_check(&cfg, &st, 5, 1, 0), CS_E2E_STALE);
	assert_int_equal(cs_e2e_check(&cfg, &st, 6, 1, 100 * MS), CS_E2E_OK);
	assert_int_equal(cs_e2e_check(&cfg, &st, 7, 1, 200 * MS), CS_E2E_OK);
}

static void counter_wraps(void **state)
{
	struct cs_e2e_state st = { 1, 15, 0 };

	(void)state;
	assert_int_equal(cs_e2e_check(&cfg, &st, 0, 1, 10 * MS), CS_E2E_OK);
}

static void repeated_refused(void **state)
{
	struct cs_e2e_state st = { 1, 3, 0 };

	(void)state;
	assert_int_equal(cs_e2e_check(&cfg, &st, 3, 1, 10 * MS),
			 CS_E2E_REPEATED);
	/* a repeat proves nothing: the freshness time is the last good one */
	assert_true(st.time_ns == 0);
	assert_int_equal(cs_e2e_check(&cfg, &st, 4, 1, 20 * MS), CS_E2E_OK);
}

/* The replay: the same frame every 1.5 s under a 1 s window is
 * never taken. */
static void replayed_every_1500ms_refused(void **state)
{
	struct cs_e2e_state st = { 1, 3, 0 };
	int i;

	(void)state;
	for (i = 1; i <= 6; i++)
		assert_int_equal(cs_e2e_check(&cfg, &st, 3, 1, i * 1500 * MS),
				 CS_E2E_STALE);
	/* and every 0.5 s: repeated, then stale (a repeat refreshes
	 * nothing), never ok */
	assert_int_equal(cs_e2e_check(&cfg, &st, 3, 1, 9500 * MS),
			 CS_E2E_REPEATED);
	for (i = 2; i <= 6; i++)
		assert_int_not_equal(cs_e2e_check(&cfg, &st, 3, 1,
						  9000 * MS + i * 500 * MS),
				     CS_E2E_OK);
}

static void stale_refused_then_resync(void **state)
{
	struct cs_e2e_state st = { 1, 3, 0 };

	(void)state;
	assert_int_equal(cs_e2e_check(&cfg, &st, 4, 1, 1001 * MS),
			 CS_E2E_STALE);
	assert_int_equal(cs_e2e_check(&cfg, &st, 5, 1, 1100 * MS), CS_E2E_OK);
	/* a clock that went back is not fresh either */
	assert_int_equal(cs_e2e_check(&cfg, &st, 6, 1, 500 * MS),
			 CS_E2E_STALE);
}

static void out_of_order_refused(void **state)
{
	struct cs_e2e_state st = { 1, 3, 0 };

	(void)state;
	/* back by one */
	assert_int_equal(cs_e2e_check(&cfg, &st, 2, 1, 10 * MS),
			 CS_E2E_OUT_OF_ORDER);
	/* it became the reference: the sender's next one is taken */
	assert_int_equal(cs_e2e_check(&cfg, &st, 3, 1, 20 * MS), CS_E2E_OK);
	/* two ahead with max_delta 1 */
	assert_int_equal(cs_e2e_check(&cfg, &st, 5, 1, 30 * MS),
			 CS_E2E_OUT_OF_ORDER);
	/* with max_delta 2 one lost frame is tolerated */
	{
		struct cs_e2e_config c2 = { 4, 2, 1000 * MS };

		assert_int_equal(cs_e2e_check(&c2, &st, 7, 1, 40 * MS),
				 CS_E2E_OK);
	}
}

static void corrupt_refused_state_kept(void **state)
{
	struct cs_e2e_state st = { 1, 3, 0 };

	(void)state;
	assert_int_equal(cs_e2e_check(&cfg, &st, 4, 0, 10 * MS),
			 CS_E2E_CORRUPT);
	assert_int_equal(st.counter, 3);
	assert_int_equal(cs_e2e_check(&cfg, &st, 4, 1, 20 * MS), CS_E2E_OK);
}

static void bad_arguments(void **state)
{
	struct cs_e2e_state st = { 0 };
	struct cs_e2e_config c = cfg;

	(void)state;
	assert_int_equal(cs_e2e_check(NULL, &st, 0, 1, 0), -EINVAL);
	assert_int_equal(cs_e2e_check(&cfg, &st, 16, 1, 0), -EINVAL);
	c.counter_bits = 9;
	assert_int_equal(cs_e2e_check(&c, &st, 0, 1, 0), -EINVAL);
	c = cfg;
	c.max_delta = 16;
	assert_int_equal(cs_e2e_check(&c, &st, 0, 1, 0), -EINVAL);
	c = cfg;
	c.window_ns = 0;
	assert_int_equal(cs_e2e_check(&c, &st, 0, 1, 0), -EINVAL);
	assert_string_equal(cs_e2e_status_name(CS_E2E_OUT_OF_ORDER),
			    "out-of-order");
	assert_null(cs_e2e_status_name(5));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(crc_check_values),
		cmocka_unit_test(crc_chains),
		cmocka_unit_test(frame_crc_layout),
		cmocka_unit_test(first_frame_is_stale_then_in_sequence),
		cmocka_unit_test(counter_wraps),
		cmocka_unit_test(repeated_refused),
		cmocka_unit_test(replayed_every_1500ms_refused),
		cmocka_unit_test(stale_refused_then_resync),
		cmocka_unit_test(out_of_order_refused),
		cmocka_unit_test(corrupt_refused_state_kept),
		cmocka_unit_test(bad_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
