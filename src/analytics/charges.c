/*
 * What an executed order costs in India, as a trader's estimate: the
 * statutory and exchange charges by instrument type, and a discount
 * broker's brokerage.  Rates are fractions of turnover (premium for
 * options), NSE's from 1 October 2024; a change of rates is a change to
 * this table.
 */
#include <math.h>
#include <string.h>

#include "analytics/analytics.h"

#define BROKERAGE_FLAT		20.0		/* rupees per executed order */
#define BROKERAGE_CAP_RATE	0.0003		/* or 0.03%, whichever lower */
#define SEBI_RATE		0.000001	/* Rs 10 per crore */
#define GST_RATE		0.18		/* on brokerage + exchange + SEBI */

static const struct rates {
	const char	*itype;
	int		 delivery;	/* EQ: CNC */
	double		 stt_buy, stt_sell;
	double		 exchange;
	double		 stamp_buy;
	int		 brokerage;	/* 0: free (equity delivery) */
} rates[] = {
	{ "FUT", 0, 0, 0.0002, 0.0000173, 0.00002, 1 },
	{ "CE", 0, 0, 0.001, 0.0003503, 0.00003, 1 },
	{ "PE", 0, 0, 0.001, 0.0003503, 0.00003, 1 },
	{ "EQ", 0, 0, 0.00025, 0.0000297, 0.00003, 1 },
	{ "EQ", 1, 0.001, 0.001, 0.0000297, 0.00015, 0 },
};

/* Rupees to paise, as contract notes round. */
static double
paise(double v)
{
	return round(v * 100) / 100;
}

void
an_charges_order(const char *itype, const char *product, int is_buy,
    double turnover, struct an_charges *c)
{
	const struct rates	*r = &rates[3];
	int			 delivery;
	size_t			 i;

	delivery = product != NULL && strcmp(product, "CNC") == 0;
	for (i = 0; itype != NULL && i < sizeof rates / sizeof rates[0]; i++) {
		if (strcmp(rates[i].itype, itype) == 0 &&
		    (strcmp(itype, "EQ") != 0 || rates[i].delivery == delivery)) {
			r = &rates[i];
			break;
		}
	}
	memset(c, 0, sizeof *c);
	if (turnover <= 0)
		return;
	if (r->brokerage)
		c->brokerage = paise(fmin(BROKERAGE_FLAT,
		    turnover * BROKERAGE_CAP_RATE));
	c->stt = paise(turnover * (is_buy ? r->stt_buy : r->stt_sell));
	c->exchange = paise(turnover * r->exchange);
	c->sebi = paise(turnover * SEBI_RATE);
	c->stamp = is_buy ? paise(turnover * r->stamp_buy) : 0;
	c->gst = paise((c->brokerage + c->exchange + c->sebi) * GST_RATE);
	c->total = c->brokerage + c->stt + c->exchange + c->sebi + c->stamp +
	    c->gst;
}

void
an_charges_add(struct an_charges *sum, const struct an_charges *c)
{
	sum->brokerage += c->brokerage;
	sum->stt += c->stt;
	sum->exchange += c->exchange;
	sum->sebi += c->sebi;
	sum->stamp += c->stamp;
	sum->gst += c->gst;
	sum->total += c->total;
}
