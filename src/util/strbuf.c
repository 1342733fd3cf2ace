/* A growable string; always NUL-terminated once anything was added. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void
strbuf_init(struct strbuf *b)
{
	b->s = NULL;
	b->len = b->cap = 0;
}

void
strbuf_free(struct strbuf *b)
{
	free(b->s);
	strbuf_init(b);
}

void
strbuf_reset(struct strbuf *b)
{
	b->len = 0;
	if (b->s != NULL)
		b->s[0] = '\0';
}

static void
strbuf_grow(struct strbuf *b, size_t need)
{
	size_t	cap;

	if (b->len + need + 1 <= b->cap)
		return;
	cap = b->cap ? b->cap : 64;
	while (cap < b->len + need + 1)
		cap *= 2;
	b->s = xrealloc(b->s, cap);
	b->cap = cap;
}

void
strbuf_add(struct strbuf *b, const char *p, size_t n)
{
	strbuf_grow(b, n);
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
strbuf_puts(struct strbuf *b, const char *s)
{
	strbuf_add(b, s, strlen(s));
}

void
strbuf_putc(struct strbuf *b, char c)
{
	strbuf_add(b, &c, 1);
}

void
strbuf_printf(struct strbuf *b, const char *fmt, ...)
{
	va_list	ap, aq;
	int	n;

	va_start(ap, fmt);
	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		fatal("bad format \"%s\"", fmt);
	strbuf_grow(b, (size_t)n);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	va_end(ap);
}

/* Hand the buffer to the caller (never NULL) and reset b. */
char *
strbuf_steal(struct strbuf *b)
{
	char	*s;

	s = b->s != NULL ? b->s : xstrdup("");
	strbuf_init(b);
	return s;
}

uint64_t
str_hash64(const char *s)
{
	uint64_t	h = 1469598103934665603ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}
