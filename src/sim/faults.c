/*
 * Fault injection.  Every request draws the same number of values from one
 * seeded stream, so the same request sequence meets the same faults.
 * "hold" is no draw: while it is set, every Kite reply waits (the request
 * itself has taken effect) until it is cleared or /sim/release is posted,
 * so a test can act at a known point between a request and its answer.
 */
#include <string.h>

#include "sim/sim_int.h"

void
sim_faults_init(struct sim_faults *f, uint64_t seed)
{
	memset(f, 0, sizeof *f);
	f->rate_limit = 10;
	sim_faults_seed(f, seed);
}

/* Its own stream, so faults do not shift when the market draws more. */
void
sim_faults_seed(struct sim_faults *f, uint64_t seed)
{
	sim_rng_seed(&f->rng, sim_hash64(seed ^ 0x6661756c7473ULL));
}

void
sim_faults_draw(struct sim_faults *f, struct sim_fault_draw *d)
{
	double	j = sim_rng_unit(&f->rng), rj = sim_rng_unit(&f->rng);
	double	to = sim_rng_unit(&f->rng), er = sim_rng_unit(&f->rng);
	double	which = sim_rng_unit(&f->rng);

	memset(d, 0, sizeof *d);
	d->delay_ms = f->latency_ms + (int)(j * (f->jitter_ms + 1));
	if (d->delay_ms < 0)
		d->delay_ms = 0;
	d->reject = rj * 100.0 < f->reject_pct;
	d->timeout = to * 100.0 < f->timeout_pct;
	if (er * 100.0 < f->error_pct)
		d->error = which < 0.5 ? 500 : 503;
}

static int
get_num(const json_t *o, const char *key, double lo, double hi, double *v,
    struct err *e)
{
	json_t	*j = json_object_get(o, key);

	if (j == NULL)
		return 0;
	if (!json_is_number(j) || json_number_value(j) < lo ||
	    json_number_value(j) > hi) {
		err_set(e, "InputException", "`%s` must be a number from %g to "
		    "%g.", key, lo, hi);
		return -1;
	}
	*v = json_number_value(j);
	return 1;
}

/* Apply a partial update; nothing changes unless every field is valid. */
int
sim_faults_set(struct sim_faults *f, const json_t *o, struct err *e)
{
	struct sim_faults	n = *f;
	const json_t		*j;
	double			v;
	int			r;

	if (!json_is_object(o)) {
		err_set(e, "InputException", "Expected a JSON object.");
		return -1;
	}
	if ((r = get_num(o, "latency_ms", 0, 600000, &v, e)) == -1)
		return -1;
	if (r)
		n.latency_ms = (int)v;
	if ((r = get_num(o, "jitter_ms", 0, 600000, &v, e)) == -1)
		return -1;
	if (r)
		n.jitter_ms = (int)v;
	if ((r = get_num(o, "reject_pct", 0, 100, &n.reject_pct, e)) == -1 ||
	    (r = get_num(o, "timeout_pct", 0, 100, &n.timeout_pct, e)) == -1 ||
	    (r = get_num(o, "error_pct", 0, 100, &n.error_pct, e)) == -1)
		return -1;
	if ((r = get_num(o, "rate_limit", 0, 64, &v, e)) == -1)
		return -1;
	if (r)
		n.rate_limit = (int)v;
	if ((j = json_object_get(o, "hold")) != NULL) {
		if (!json_is_boolean(j)) {
			err_set(e, "InputException", "`hold` must be true or "
			    "false.");
			return -1;
		}
		n.hold = json_is_true(j);
	}
	*f = n;
	return 0;
}

json_t *
sim_faults_json(const struct sim_faults *f)
{
	return json_pack("{s:i,s:i,s:f,s:f,s:f,s:i,s:b}", "latency_ms",
	    f->latency_ms, "jitter_ms", f->jitter_ms, "reject_pct",
	    f->reject_pct, "timeout_pct", f->timeout_pct, "error_pct",
	    f->error_pct, "rate_limit", f->rate_limit, "hold", f->hold);
}
