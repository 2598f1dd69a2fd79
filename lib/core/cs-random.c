// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The synthesisers' noise generator (cs-random.h): xoshiro256**, seeded by
 * splitmix64, and Box-Muller. Not exported.
 */
#include <math.h>

#include "cs-random.h"

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void cs_rng_seed(struct cs_rng *r, uint64_t z)
{
	for (int i = 0; i < 4; i++) {
		uint64_t x = (z += 0x9e3779b97f4a7c15ULL);

		x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
		x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
		r->s[i] = x ^ (x >> 31);
	}
	r->have_spare = 0;
}

uint64_t cs_rng_next_u64(struct cs_rng *r)
{
	uint64_t *s = r->s;
	uint64_t v = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return v;
}

double cs_rng_uniform(struct cs_rng *r)
{
	return ((double)(cs_rng_next_u64(r) >> 11) + 0.5) * 0x1.0p-53;
}

double cs_rng_randn(struct cs_rng *r)
{
	double u, v;

	if (r->have_spare) {
		r->have_spare = 0;
		return r->spare;
	}
	u = cs_rng_uniform(r);
	v = cs_rng_uniform(r);
	r->spare = sqrt(-2.0 * log(u)) * sin(2.0 * M_PI * v);
	r->have_spare = 1;
	return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}
