/*
 * libFuzzer target for the cron parser and the next-fire search
 * (src/auto/cron.c): any bytes either parse or are refused with a
 * message; a parsed schedule's next fire is after the start, on a
 * minute, and itself matches when searched again from a minute before.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auto/cron.h"

static const int32_t holidays[] = { 20260126, 20260303, 20261225 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cron_calendar	 cal = { holidays, 3 };
	struct cron		 c;
	struct err		 err;
	char			*s;
	int64_t			 from, t, again;

	if (size < 4)
		return 0;
	/* The first four bytes pick the start time within 1970..2106. */
	from = (int64_t)((uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 |
	    (uint32_t)data[2] << 8 | data[3]);
	s = malloc(size - 4 + 1);
	memcpy(s, data + 4, size - 4);
	s[size - 4] = '\0';
	err_clear(&err);
	if (cron_parse(s, &c, &err) != 0) {
		if (err.msg[0] == '\0' || strlen(err.msg) >= sizeof err.msg)
			abort();
		free(s);
		return 0;
	}
	t = cron_next(&c, from, (from & 1) ? &cal : NULL);
	if (t != -1) {
		if (t <= from || t % 60 != 0)
			abort();
		again = cron_next(&c, t - 60, (from & 1) ? &cal : NULL);
		if (again != t)
			abort();
	}
	free(s);
	return 0;
}
