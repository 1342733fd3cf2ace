/*
 * report: the files `export` produces.  CSV (RFC 4180, CRLF records) and
 * PDF (cairo) behind the same compliance header: firm, member and client
 * codes, algo ids, report id, period, generated-at IST, generator version,
 * row count and the SHA-256 of the data.  The data arrive streamed (a
 * COPY into a spool file), so no report is ever held whole in memory.
 */
#ifndef PX_REPORT_H
#define PX_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include <sodium.h>

#include "db/store.h"
#include "util/config.h"
#include "util/util.h"

#define REPORT_ID_SIZE	24	/* "RPT-20261201-0a1b2c3d" */
#define REPORT_SHA_SIZE	65	/* hex and NUL */

/* What the compliance header says about one report. */
struct report_meta {
	char		 kind[16];		/* trades, orders, ... */
	char		 format[8];		/* csv, pdf */
	char		 id[REPORT_ID_SIZE];
	char		 from[11];		/* YYYY-MM-DD, IST */
	char		 to[11];
	char		*target;		/* "all", "group:T", "acct:A,..." */
	char		*firm;
	char		*member_code;
	char		*brokers;
	char		*client_codes;
	char		*algo_ids;
	int64_t		 generated_us;		/* wall clock */
	int64_t		 rows;
	char		 sha256[REPORT_SHA_SIZE];	/* of the data */
	char		 seal[REPORT_SHA_SIZE];		/* report sha256 */
};

/* header.c */
void report_meta_clear(struct report_meta *);
/* A fresh id: RPT-<IST date>-<8 random hex digits>. */
void report_new_id(char *buf, size_t len, int64_t wall_us);
/* The header as "# label: value" CRLF lines, in the order verify reads. */
void report_header_csv(struct strbuf *, const struct report_meta *);
/*
 * The seal, "report sha256": the SHA-256 of the header's lines before it
 * ("# label: value" CRLF, as report_header_csv writes them), which name
 * the data's own SHA-256.  One changed byte of the header or of the data
 * changes it.  Fills m->seal; call once rows and sha256 are known.
 */
void report_seal(struct report_meta *);
/* Label i of the header (i < REPORT_NFIELDS) and its value (owned). */
#define REPORT_NFIELDS	14
#define REPORT_SEALED	13	/* fields the seal covers: all before it */
const char *report_field_label(size_t i);
char *report_field_value(const struct report_meta *, size_t i);

/*
 * csv.c: the spool a COPY writes into.  Bytes pass through unchanged but
 * for record ends, which become CRLF (RFC 4180); a SHA-256 and the count
 * of records are kept as they go.  The first record is the column names.
 */
struct report_spool {
	int				 fd;
	crypto_hash_sha256_state	 sha;
	int64_t				 records;
	int				 quoted;	/* inside "..." */
	size_t				 n;
	char				 buf[1 << 16];
	int				 failed;	/* errno of a write */
};

int report_spool_open(struct report_spool *, const char *path, struct err *);
int report_spool_feed(struct report_spool *, const char *, size_t);
/* Flush and close; fills sha256 (hex) and rows (records after names). */
int report_spool_close(struct report_spool *, char sha256[REPORT_SHA_SIZE],
    int64_t *rows, struct err *);

/* Reading RFC 4180 records back (for the PDF and for tests). */
struct report_csv_reader {
	FILE		*f;
	struct strbuf	 field;
	char		**v;
	size_t		  n;
	size_t		  cap;
};

int report_csv_reader_open(struct report_csv_reader *, const char *path,
    struct err *);
/* The next record's fields (valid until the next call); 0 at the end. */
int report_csv_next(struct report_csv_reader *, char ***fields, size_t *n);
void report_csv_reader_close(struct report_csv_reader *);

/*
 * The finished CSV file at path: header, then the spool's bytes copied
 * after it by the kernel.  -1 and err on a write failure.
 */
int report_csv_write(const char *spool, const struct report_meta *,
    const char *path, struct err *);

/* pdf.c: cover, charts, the table over as many pages as it takes. */
int report_pdf_write(const char *spool, const struct report_meta *,
    const char *path, struct err *);
/* Pages the table takes at the PDF's layout (for tests and the cover). */
int64_t report_pdf_table_pages(int64_t rows);

/* verify.c: is an exported CSV what it was when written? */
enum report_verdict {
	REPORT_INTACT = 0,
	REPORT_ALTERED = 1,
	REPORT_UNREADABLE = 2
};

struct report_check {
	char		id[REPORT_ID_SIZE];
	char		sha_said[REPORT_SHA_SIZE];
	char		sha_found[REPORT_SHA_SIZE];
	char		seal_said[REPORT_SHA_SIZE];
	char		seal_found[REPORT_SHA_SIZE];
	const char	*part;		/* altered: "header", "data", ... */
	int64_t		rows_said;
	int64_t		rows_found;
	char		why[1024];
};

enum report_verdict report_verify(const char *path, struct report_check *);
/* `phalanx export verify FILE`: prints the verdict, returns the exit. */
int report_verify_main(int argc, char **argv);

/* deliver.c */
/* path itself or, when path is a directory, path/name. */
char *report_dest_path(const char *path, const char *name);
/* A temporary name in dest's directory, for an atomic rename over dest. */
char *report_tmp_beside(const char *dest);
/* fsync tmp, rename it to dest and fsync the directory. */
int report_commit(const char *tmp, const char *dest, struct err *);

/*
 * export.c: one report from request to destination.  Reads the period
 * through a COPY on its own connection, spools it, writes the CSV or PDF
 * (atomically), delivers it to a path, an e-mail address (through an
 * e-mail channel's SMTP server, file attached) or an HTTP endpoint
 * (POST), and records it in exports.  cb exactly once, from the loop.
 */
struct report_request {
	const char	*kind;
	const char	*format;
	const char	*from;
	const char	*to;
	const char	*tkind;		/* all | group | accounts */
	const char	*tnames;	/* JSON array text */
	const char	*target;	/* as the user wrote it, for the header */
	const char	*path;		/* at most one of path, email, url */
	const char	*email;
	const char	*url;
};

struct report_outcome {
	struct report_meta	 meta;
	const char		*destination;	/* file, mailto: or URL */
	const char		*file;		/* the file written */
	int64_t			 bytes;
	long			 status;	/* SMTP or HTTP code, 0: none */
};

typedef void (*report_done_cb)(const struct report_outcome *,
    const struct err *, void *arg);

void report_export(struct store *, struct config *, const char *home,
    const struct store_actor *, const struct report_request *,
    report_done_cb, void *arg);

#endif
