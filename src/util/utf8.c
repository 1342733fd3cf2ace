/* UTF-8 validation and repair, by the rules of RFC 3629. */
#include <string.h>

#include "util/util.h"
#include "util/utf8.h"

size_t
utf8_seq(const unsigned char *s, size_t n)
{
	size_t		len, i;
	unsigned	lo = 0x80, hi = 0xbf;

	if (n == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (s[0] == 0xed)
			hi = 0x9f;	/* surrogates */
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		if (s[0] == 0xf0)
			lo = 0x90;	/* overlong */
		else if (s[0] == 0xf4)
			hi = 0x8f;	/* above U+10FFFF */
	} else
		return 0;
	if (n < len)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++) {
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	}
	return len;
}

unsigned
utf8_code(const unsigned char *s, size_t len)
{
	unsigned	c;
	size_t		i;

	if (len <= 1)
		return s[0];
	c = s[0] & (0xff >> (len + 1));
	for (i = 1; i < len; i++)
		c = (c << 6) | (s[i] & 0x3f);
	return c;
}

int
utf8_valid(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n = strlen(s), k;

	while (n > 0) {
		if ((k = utf8_seq(p, n)) == 0)
			return 0;
		p += k;
		n -= k;
	}
	return 1;
}

char *
utf8_repair(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	struct strbuf		 b;
	size_t			 n = strlen(s), k;

	strbuf_init(&b);
	strbuf_add(&b, "", 0);
	while (n > 0) {
		if ((k = utf8_seq(p, n)) == 0) {
			strbuf_puts(&b, "\xef\xbf\xbd");
			k = 1;
		} else
			strbuf_add(&b, (const char *)p, k);
		p += k;
		n -= k;
	}
	return strbuf_steal(&b);
}
