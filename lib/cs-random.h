/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal to the library (not installed, not exported): the noise
 * generator of the synthesisers, xoshiro256** seeded by splitmix64, with
 * Box-Muller normals. Our own so that a seed gives the same data on every
 * machine, which tests and benchmarks rely on.
 */
#ifndef CS_RANDOM_H
#define CS_RANDOM_H

#include <stdint.h>

struct cs_rng {
	uint64_t s[4];
	int have_spare;
	double spare;
};

/* splitmix64 seeding, as xoshiro's authors recommend */
void cs_rng_seed(struct cs_rng *r, uint64_t seed);
uint64_t cs_rng_next_u64(struct cs_rng *r);
/* uniform in (0, 1), never 0 or 1 */
double cs_rng_uniform(struct cs_rng *r);
/* standard normal */
double cs_rng_randn(struct cs_rng *r);

#endif
