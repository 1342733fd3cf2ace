/*
 * The simulator's PRNG: splitmix64.  rand() differs between libcs and is
 * shared with everything else in the process; a seed must give the same
 * market and the same faults on every machine.
 */
#include <math.h>

#include "sim/sim_int.h"

void
sim_rng_seed(struct sim_rng *r, uint64_t seed)
{
	r->s = seed;
}

/* Vigna's splitmix64 finalizer: a good 64-bit mix on its own. */
uint64_t
sim_hash64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t
sim_rng_next(struct sim_rng *r)
{
	r->s += 0x9e3779b97f4a7c15ULL;
	return sim_hash64(r->s);
}

double
sim_rng_unit(struct sim_rng *r)
{
	return (double)(sim_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* Modulo bias is below 2^-40 for the small ranges the simulator draws. */
uint64_t
sim_rng_below(struct sim_rng *r, uint64_t n)
{
	if (n == 0)
		return 0;
	return sim_rng_next(r) % n;
}

/* Box-Muller; one draw of two uniforms per normal keeps streams simple. */
double
sim_rng_normal(struct sim_rng *r)
{
	double	u1, u2;

	do
		u1 = sim_rng_unit(r);
	while (u1 <= 0.0);
	u2 = sim_rng_unit(r);
	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}
