/* The error struct: a stable code for machines, a sentence for people. */
#include <stdio.h>
#include <string.h>

#include "util.h"

void
err_clear(struct err *e)
{
	if (e == NULL)
		return;
	e->code[0] = '\0';
	e->msg[0] = '\0';
}

void
err_set(struct err *e, const char *code, const char *fmt, ...)
{
	va_list	ap;

	if (e == NULL)
		return;
	snprintf(e->code, sizeof e->code, "%s", code);
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
}

int
err_isset(const struct err *e)
{
	return e != NULL && e->code[0] != '\0';
}
