/*
 * Latency histograms.  Log-linear buckets (HdrHistogram's idea, small):
 * values below 2^(SUB_BITS+1) have a bucket each, and every power of two
 * above is cut into 2^SUB_BITS equal buckets, so a quantile is off by less
 * than 1/32 of its value whatever the scale, in a fixed 8 KiB.
 */
#include <stdlib.h>
#include <string.h>

#include "exec/exec.h"

#define SUB	(1 << LAT_SUB_BITS)

static int
lat_msb(uint64_t v)
{
	return 63 - __builtin_clzll(v);
}

static size_t
lat_index(int64_t v)
{
	int	shift;

	if (v < 2 * SUB)
		return (size_t)v;
	shift = lat_msb((uint64_t)v) - LAT_SUB_BITS;
	return (size_t)(shift + 1) * SUB + (size_t)((v >> shift) - SUB);
}

/* The largest value that lands in bucket i. */
static int64_t
lat_top(size_t i)
{
	int	shift;

	if (i < 2 * SUB)
		return (int64_t)i;
	shift = (int)(i / SUB) - 1;
	return ((int64_t)(i % SUB + SUB) << shift) + ((int64_t)1 << shift) - 1;
}

void
lat_init(struct lat_hist *h)
{
	memset(h, 0, sizeof *h);
}

void
lat_add(struct lat_hist *h, int64_t us)
{
	if (us < 0)
		us = 0;
	if (us > LAT_MAX_US - 1)
		us = LAT_MAX_US - 1;
	if (h->count == 0 || us < h->min)
		h->min = us;
	if (h->count == 0 || us > h->max)
		h->max = us;
	h->count++;
	h->sum += us;
	h->b[lat_index(us)]++;
}

void
lat_merge(struct lat_hist *dst, const struct lat_hist *src)
{
	size_t	i;

	if (src->count == 0)
		return;
	if (dst->count == 0 || src->min < dst->min)
		dst->min = src->min;
	if (dst->count == 0 || src->max > dst->max)
		dst->max = src->max;
	dst->count += src->count;
	dst->sum += src->sum;
	for (i = 0; i < LAT_NBUCKETS; i++)
		dst->b[i] += src->b[i];
}

int64_t
lat_quantile(const struct lat_hist *h, int permille)
{
	uint64_t	rank, seen = 0;
	int64_t		v;
	size_t		i;

	if (h->count == 0)
		return 0;
	if (permille < 0)
		permille = 0;
	if (permille > 1000)
		permille = 1000;
	rank = (h->count * (uint64_t)permille + 999) / 1000;
	if (rank == 0)
		rank = 1;
	for (i = 0; i < LAT_NBUCKETS; i++) {
		seen += h->b[i];
		if (seen >= rank)
			break;
	}
	v = lat_top(i < LAT_NBUCKETS ? i : LAT_NBUCKETS - 1);
	if (v > h->max)
		v = h->max;
	if (v < h->min)
		v = h->min;
	return v;
}

void
lat_summarize(const struct lat_hist *h, struct lat_summary *s)
{
	memset(s, 0, sizeof *s);
	if ((s->count = h->count) == 0)
		return;
	s->min = h->min;
	s->max = h->max;
	s->p50 = lat_quantile(h, 500);
	s->p90 = lat_quantile(h, 900);
	s->p99 = lat_quantile(h, 990);
	s->mean = h->sum / (int64_t)h->count;
}
