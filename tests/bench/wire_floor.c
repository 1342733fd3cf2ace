/*
 * The machine's floor under a fan-out: N keep-alive connections to the
 * simulator, one order request written on each, back to back, with
 * nothing else -- no store, no curl, no JSON.  Prints how long writing
 * the N requests took and how long until the N answers were in, p50 and
 * p99 over the rounds.  A fan-out cannot write its orders faster than
 * this; fanout.sh prints it beside the fan-out's own figures.
 *
 *   wire_floor PORT N ROUNDS AUTH...	(AUTH: "api_key:access_token",
 *					 one per account, reused in turn)
 */
#include <sys/socket.h>
#include <sys/uio.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int64_t
now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
cmp64(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static double
pct(int64_t *v, int n, int p)
{
	int	i = (p * n + 99) / 100;

	qsort(v, (size_t)n, sizeof *v, cmp64);
	if (i < 1)
		i = 1;
	return v[i - 1] / 1000.0;
}

/* Read one answer: headers, then Content-Length bytes of body. */
static int
read_answer(int fd, char *buf, size_t cap)
{
	size_t	have = 0, need = 0;
	char	*end, *cl;
	ssize_t	r;

	for (;;) {
		if ((r = read(fd, buf + have, cap - have - 1)) <= 0)
			return -1;
		have += (size_t)r;
		buf[have] = '\0';
		if ((end = strstr(buf, "\r\n\r\n")) == NULL)
			continue;
		if (need == 0) {
			if ((cl = strcasestr(buf, "content-length:")) == NULL)
				return -1;
			need = (size_t)(end + 4 - buf) +
			    strtoul(cl + 15, NULL, 10);
		}
		if (have >= need)
			return 0;
	}
}

int
main(int argc, char **argv)
{
	struct sockaddr_in	 sa;
	int			 port, n, rounds, nauth, i, r, one = 1;
	int			*fd;
	char			**req, buf[65536];
	size_t			*len;
	int64_t			*wr, *all, t0;

	if (argc < 5) {
		fprintf(stderr, "usage: wire_floor PORT N ROUNDS AUTH...\n");
		return 2;
	}
	port = atoi(argv[1]);
	n = atoi(argv[2]);
	rounds = atoi(argv[3]);
	nauth = argc - 4;
	if (port <= 0 || n <= 0 || rounds <= 0)
		return 2;
	fd = calloc((size_t)n, sizeof *fd);
	req = calloc((size_t)n, sizeof *req);
	len = calloc((size_t)n, sizeof *len);
	wr = calloc((size_t)rounds, sizeof *wr);
	all = calloc((size_t)rounds, sizeof *all);
	if (fd == NULL || req == NULL || len == NULL || wr == NULL ||
	    all == NULL)
		return 1;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < n; i++) {
		static const char body[] = "exchange=NFO&tradingsymbol=X"
		    "&transaction_type=BUY&quantity=1&product=NRML"
		    "&order_type=MARKET&tag=floor";
		char	tmp[1024];
		int	k;

		fd[i] = socket(AF_INET, SOCK_STREAM, 0);
		if (fd[i] == -1 || connect(fd[i], (struct sockaddr *)&sa,
		    sizeof sa) == -1) {
			perror("connect");
			return 1;
		}
		setsockopt(fd[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		k = snprintf(tmp, sizeof tmp, "POST /orders/regular HTTP/1.1"
		    "\r\nHost: 127.0.0.1:%d\r\nX-Kite-Version: 3\r\n"
		    "Authorization: token %s\r\nContent-Type: "
		    "application/x-www-form-urlencoded\r\nContent-Length: "
		    "%zu\r\n\r\n%s", port, argv[4 + i % nauth],
		    sizeof body - 1, body);
		req[i] = strdup(tmp);
		len[i] = (size_t)k;
	}
	for (r = 0; r < rounds; r++) {
		t0 = now_us();
		for (i = 0; i < n; i++) {
			if (write(fd[i], req[i], len[i]) != (ssize_t)len[i]) {
				perror("write");
				return 1;
			}
		}
		wr[r] = now_us() - t0;
		for (i = 0; i < n; i++) {
			if (read_answer(fd[i], buf, sizeof buf) != 0) {
				fprintf(stderr, "wire_floor: connection %d "
				    "closed\n", i);
				return 1;
			}
		}
		all[r] = now_us() - t0;
		usleep(20000);
	}
	printf("%.2f %.2f %.2f %.2f\n", pct(wr, rounds, 50),
	    pct(wr, rounds, 99), pct(all, rounds, 50), pct(all, rounds, 99));
	return 0;
}
