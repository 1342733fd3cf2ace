/*
 * The templates phalanx ships, as the text an operator would type.  They
 * are seeded into rms_templates as version 1; operators copy and edit
 * them there (rms template add NAME from intraday-scalper ...).
 */
#include <string.h>

#include "rms/rms.h"

static const char *const intraday_scalper[] = {
	"max-lots-per-order", "10",
	"max-lots-per-underlying", "40",
	"max-open-positions", "6",
	"orders-per-sec", "10",
	"exchanges", "NSE,NFO",
	"products", "mis",
	"window", "09:15-15:15",
	"squareoff-at", "15:15",
	"mtm-loss", "25000",
	"on-mtm-loss", "squareoff",
	"profit-target", "60000",
	"trail-activate", "20000",
	"trail-by", "8000",
	"max-drawdown", "30000",
	"on-max-drawdown", "halt",
	"margin-max-pct", "80",
	"price-band-pct", "2",
	NULL
};

static const char *const positional[] = {
	"max-lots-per-order", "20",
	"max-lots-per-underlying", "100",
	"max-open-positions", "25",
	"orders-per-sec", "10",
	"exchanges", "NSE,NFO,BSE,BFO",
	"products", "nrml,cnc",
	"window", "09:15-15:29",
	"mtm-loss-pct", "5",
	"on-mtm-loss-pct", "reduce",
	"max-drawdown", "150000",
	"on-max-drawdown", "hedge",
	"margin-max-pct", "85",
	"on-margin-max-pct", "throttle",
	"price-band-pct", "5",
	NULL
};

static const char *const expiry_day[] = {
	"max-lots-per-order", "5",
	"max-lots-per-underlying", "20",
	"max-open-positions", "4",
	"orders-per-sec", "5",
	"exchanges", "NFO",
	"products", "mis,nrml",
	"window", "09:20-14:45",
	"squareoff-at", "15:00",
	"mtm-loss", "15000",
	"on-mtm-loss", "kill",
	"trail-activate", "10000",
	"trail-by", "4000",
	"max-drawdown", "20000",
	"on-max-drawdown", "squareoff",
	"margin-max-pct", "70",
	"on-margin-max-pct", "reduce",
	"price-band-pct", "1",
	"approval", "yes",
	NULL
};

static const char *const conservative[] = {
	"max-lots-per-order", "2",
	"max-lots-per-underlying", "6",
	"max-open-positions", "3",
	"orders-per-sec", "5",
	"exchanges", "NSE,NFO",
	"products", "mis,nrml,cnc",
	"window", "09:30-15:00",
	"squareoff-at", "15:10",
	"mtm-loss-pct", "1",
	"on-mtm-loss-pct", "halt",
	"max-drawdown", "10000",
	"on-max-drawdown", "squareoff",
	"margin-max-pct", "50",
	"on-margin-max-pct", "reduce",
	"price-band-pct", "1",
	"approval", "yes",
	NULL
};

const struct rms_template_def rms_templates[] = {
	{ "intraday-scalper", "MIS only, tight per-order size, trailing "
	  "profit lock, flat by 15:15", intraday_scalper },
	{ "positional", "NRML/CNC carry, loss as a share of capital, hedge on "
	  "drawdown", positional },
	{ "expiry-day", "NFO on expiry: small orders, narrow price band, kill "
	  "on loss, loosening needs approval", expiry_day },
	{ "conservative", "family accounts: two lots, three positions, halt at "
	  "1% of capital", conservative },
};

const size_t rms_ntemplates = nitems(rms_templates);

int
rms_template_build(const struct rms_template_def *t, struct rms_limits *out,
    struct err *e)
{
	struct rms_limits	lim;
	size_t			i;

	memset(&lim, 0, sizeof lim);
	for (i = 0; t->pairs[i] != NULL; i += 2) {
		if (rms_limit_set(&lim, t->pairs[i], t->pairs[i + 1], e) == -1)
			return -1;
	}
	*out = lim;
	return 0;
}
