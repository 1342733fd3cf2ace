/*
 * The paper broker's instrument dump: the same instruments, lot sizes,
 * expiries and opening prices that `phalanx sim` serves (its one editable
 * table, src/sim/instruments.c), so a user with no broker at all can load
 * instruments and trade on paper at their last prices.
 */
#include <stdio.h>

#include "broker/broker_lib.h"
#include "broker/kite.h"
#include "sim/sim_int.h"

#define PAPER_DUMP_SEED	1


/* Rows go to row() as they are parsed; 0, or -1 with be filled. */
int
paper_dump(const char *exchange, broker_instrument_cb row, void *arg,
    struct broker_err *be)
{
	struct sim_market	*m;
	struct kite_csv		*csv;
	struct strbuf		 b;
	int			 rc;

	m = sim_market_new(PAPER_DUMP_SEED, time_today_ist());
	strbuf_init(&b);
	sim_instruments_csv(m, exchange, &b);
	csv = kite_csv_new(row, arg);
	rc = kite_csv_feed(csv, b.s != NULL ? b.s : "", b.len, be);
	if (rc == 0)
		rc = kite_csv_finish(csv, be);
	kite_csv_free(csv);
	strbuf_free(&b);
	sim_market_free(m);
	return rc;
}
