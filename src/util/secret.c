/*
 * Credentials at rest, sealed with libsodium's crypto_secretbox (XSalsa20 +
 * Poly1305): a fresh random nonce per value, so equal secrets never look
 * equal in the store, and any change to the text fails authentication.
 */
#include <sys/resource.h>
#include <sys/stat.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "util/secret.h"

#define SECRET_PREFIX	"v1:"
#define SECRET_MAXLEN	(1024 * 1024)
#define SECRET_B64	sodium_base64_VARIANT_ORIGINAL

static const char secret_bad_key[] =
    "expected 64 hex digits or the base64 of 32 bytes";

static int
secret_init(struct err *e)
{
	static int	done;

	if (done)
		return 0;
	if (sodium_init() < 0) {
		err_set(e, "crypto", "libsodium failed to initialise");
		return -1;
	}
	done = 1;
	return 0;
}

/*
 * A key in text: 64 hex digits or base64 (standard or URL-safe, padded or
 * not) of exactly 32 bytes, with surrounding whitespace ignored.
 */
static int
secret_parse_key(const char *text, size_t len, unsigned char *key)
{
	static const int	 variants[] = {
		sodium_base64_VARIANT_ORIGINAL,
		sodium_base64_VARIANT_ORIGINAL_NO_PADDING,
		sodium_base64_VARIANT_URLSAFE,
		sodium_base64_VARIANT_URLSAFE_NO_PADDING,
	};
	unsigned char		 buf[64];
	size_t			 n, i;
	int			 ok = 0;

	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r' ||
	    text[len - 1] == ' ' || text[len - 1] == '\t'))
		len--;
	while (len > 0 && (*text == ' ' || *text == '\t')) {
		text++;
		len--;
	}
	if (len == 2 * crypto_secretbox_KEYBYTES &&
	    sodium_hex2bin(buf, sizeof buf, text, len, NULL, &n, NULL) == 0 &&
	    n == crypto_secretbox_KEYBYTES)
		ok = 1;
	for (i = 0; !ok && i < nitems(variants); i++) {
		if (sodium_base642bin(buf, sizeof buf, text, len, NULL, &n,
		    NULL, variants[i]) == 0 && n == crypto_secretbox_KEYBYTES)
			ok = 1;
	}
	if (ok)
		memcpy(key, buf, crypto_secretbox_KEYBYTES);
	sodium_memzero(buf, sizeof buf);
	return ok ? 0 : -1;
}

/* Read an existing key file; 1 if there is none. */
static int
secret_key_read(const char *path, unsigned char *key, struct err *e)
{
	struct stat	 st;
	char		 buf[256];
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return 1;
		err_set(e, "master-key", "cannot open master key file %s: %s",
		    path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		err_set(e, "master-key", "master key file %s is not a regular "
		    "file", path);
		goto out;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		err_set(e, "master-key", "master key file %s is accessible by "
		    "group or others (mode %04o); fix it with: chmod 600 %s",
		    path, (unsigned)(st.st_mode & 07777), path);
		goto out;
	}
	while (len < sizeof buf &&
	    (n = read(fd, buf + len, sizeof buf - len)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			err_set(e, "master-key", "cannot read master key file "
			    "%s: %s", path, strerror(errno));
			goto out;
		}
		len += (size_t)n;
	}
	if (len == sizeof buf || secret_parse_key(buf, len, key) != 0) {
		err_set(e, "master-key", "master key file %s: %s", path,
		    secret_bad_key);
		goto out;
	}
	rc = 0;
out:
	sodium_memzero(buf, sizeof buf);
	close(fd);
	return rc;
}

/*
 * First use: a random key written to a private temporary file and linked
 * into place, so a concurrent first use by another process cannot leave
 * two keys or a half-written file; the loser reads the winner's key.
 */
static int
secret_key_create(const char *dir, const char *path, unsigned char *key,
    struct err *e)
{
	char	 hex[2 * crypto_secretbox_KEYBYTES + 2], *tmp;
	int	 fd, rc = -1;

	if (path_mkdirs(dir, 0700) != 0) {
		err_set(e, "master-key", "cannot create %s: %s", dir,
		    strerror(errno));
		return -1;
	}
	randombytes_buf(key, crypto_secretbox_KEYBYTES);
	sodium_bin2hex(hex, sizeof hex - 1, key, crypto_secretbox_KEYBYTES);
	strcat(hex, "\n");
	tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1 || fchmod(fd, 0600) == -1 ||
	    file_write_all(fd, hex, strlen(hex)) == -1 || fsync(fd) == -1) {
		err_set(e, "master-key", "cannot write master key file %s: %s",
		    tmp, strerror(errno));
		goto out;
	}
	if (link(tmp, path) == -1) {
		if (errno == EEXIST)
			rc = secret_key_read(path, key, e);
		else {
			err_set(e, "master-key", "cannot create master key "
			    "file %s: %s", path, strerror(errno));
		}
		goto out;
	}
	file_sync_dir(dir);
	rc = 0;
out:
	if (fd != -1) {
		close(fd);
		unlink(tmp);
	}
	free(tmp);
	sodium_memzero(hex, sizeof hex);
	return rc;
}

/*
 * PHALANX_MASTER_KEY once secret_env_take has run: the key in guarded,
 * locked memory (sodium_malloc) that is unreadable between uses, or what
 * was wrong with the variable, reported when the key is first needed.
 */
enum key_env { KEY_ENV_UNTAKEN, KEY_ENV_NONE, KEY_ENV_OK, KEY_ENV_EMPTY,
	KEY_ENV_BAD };
static enum key_env	 key_env = KEY_ENV_UNTAKEN;
static unsigned char	*key_env_buf;
static size_t		 key_env_badlen;

/*
 * Take PHALANX_MASTER_KEY out of the environment before anything runs:
 * no child (initdb, pg_ctl and the postmaster, psql, a shell) inherits
 * it, and its bytes are wiped where the kernel shows the environment we
 * started with (/proc/PID/environ).
 */
void
secret_env_take(void)
{
	struct err	 e;
	char		*v;

	if (key_env != KEY_ENV_UNTAKEN)
		return;
	if ((v = getenv("PHALANX_MASTER_KEY")) == NULL) {
		key_env = KEY_ENV_NONE;
		return;
	}
	if (*v == '\0')
		key_env = KEY_ENV_EMPTY;
	else if (secret_init(&e) == 0 &&
	    (key_env_buf = sodium_malloc(crypto_secretbox_KEYBYTES)) != NULL &&
	    secret_parse_key(v, strlen(v), key_env_buf) == 0) {
		sodium_mprotect_noaccess(key_env_buf);
		key_env = KEY_ENV_OK;
	} else {
		key_env = KEY_ENV_BAD;
		key_env_badlen = strlen(v);
	}
	explicit_bzero(v, strlen(v));
	unsetenv("PHALANX_MASTER_KEY");
}

static void
secret_env_error(enum key_env state, size_t len, struct err *e)
{
	if (state == KEY_ENV_EMPTY)
		err_set(e, "master-key", "PHALANX_MASTER_KEY is set but empty; "
		    "unset it to use the master.key file");
	else
		err_set(e, "master-key", "PHALANX_MASTER_KEY: %s (got %zu "
		    "characters)", secret_bad_key, len);
}

/* The key from the environment: 0, 1 when there is none there, -1. */
static int
secret_key_env(unsigned char *key, struct err *e)
{
	const char	*env;

	switch (key_env) {
	case KEY_ENV_OK:
		sodium_mprotect_readonly(key_env_buf);
		memcpy(key, key_env_buf, crypto_secretbox_KEYBYTES);
		sodium_mprotect_noaccess(key_env_buf);
		return 0;
	case KEY_ENV_NONE:
		return 1;
	case KEY_ENV_EMPTY:
	case KEY_ENV_BAD:
		secret_env_error(key_env, key_env_badlen, e);
		return -1;
	case KEY_ENV_UNTAKEN:
		break;
	}
	/* Not taken (a library user, a test): read it where it is. */
	if ((env = getenv("PHALANX_MASTER_KEY")) == NULL)
		return 1;
	if (secret_parse_key(env, strlen(env), key) == 0)
		return 0;
	secret_env_error(*env == '\0' ? KEY_ENV_EMPTY : KEY_ENV_BAD,
	    strlen(env), e);
	return -1;
}

/*
 * A process that holds the key leaves no core dump and is not dumpable:
 * no core file, no ptrace or /proc/PID/mem by another process of the
 * same user, /proc/PID/environ readable by root only.
 */
int
secret_protect_process(struct err *e)
{
	struct rlimit	rl = { 0, 0 };

	if (setrlimit(RLIMIT_CORE, &rl) == -1) {
		err_set(e, "protect", "cannot disable core dumps: %s",
		    strerror(errno));
		return -1;
	}
#ifdef __linux__
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1) {
		err_set(e, "protect", "cannot make the process non-dumpable: "
		    "%s", strerror(errno));
		return -1;
	}
#endif
	return 0;
}

/*
 * The master key: PHALANX_MASTER_KEY, else HOME/master.key, created only
 * when encrypting (decrypting with a brand-new key could never succeed).
 */
static int
secret_key(const char *home, int create, unsigned char *key, struct err *e)
{
	char		*dir, *path;
	int		 rc;

	if ((rc = secret_key_env(key, e)) != 1)
		return rc;
	dir = (home != NULL) ? xstrdup(home) : path_phalanx_home();
	path = xasprintf("%s/%s", dir, SECRET_KEY_FILE);
	rc = secret_key_read(path, key, e);
	if (rc == 1 && create)
		rc = secret_key_create(dir, path, key, e);
	else if (rc == 1) {
		err_set(e, "master-key", "no master key: %s does not exist "
		    "and PHALANX_MASTER_KEY is not set", path);
		rc = -1;
	}
	free(path);
	free(dir);
	return rc;
}

int
secret_encrypt(const char *home, const char *plaintext, char **out,
    struct err *e)
{
	unsigned char	 key[crypto_secretbox_KEYBYTES], *box;
	size_t		 mlen, blen, b64len;
	int		 rc = -1;

	*out = NULL;
	if (secret_init(e) != 0)
		return -1;
	if ((mlen = strlen(plaintext)) > SECRET_MAXLEN) {
		err_set(e, "secret", "credential too long (%zu bytes)", mlen);
		return -1;
	}
	sodium_mlock(key, sizeof key);
	if (secret_key(home, 1, key, e) != 0)
		goto out;
	blen = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + mlen;
	box = xmalloc(blen);
	randombytes_buf(box, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES,
	    (const unsigned char *)plaintext, mlen, box, key);
	b64len = sodium_base64_encoded_len(blen, SECRET_B64);
	*out = xmalloc(strlen(SECRET_PREFIX) + b64len);
	strcpy(*out, SECRET_PREFIX);
	sodium_bin2base64(*out + strlen(SECRET_PREFIX), b64len, box, blen,
	    SECRET_B64);
	free(box);
	rc = 0;
out:
	sodium_munlock(key, sizeof key);
	return rc;
}

/* Undo the "v1:" + base64 wrapping; *box is owned by the caller. */
static int
secret_unwrap(const char *text, unsigned char **box, size_t *blen,
    struct err *e)
{
	size_t	tlen, max;

	if (strncmp(text, SECRET_PREFIX, strlen(SECRET_PREFIX)) != 0) {
		if (text[0] == 'v' && strchr(text, ':') != NULL) {
			err_set(e, "decrypt", "cannot decrypt credential: "
			    "unsupported format \"%.*s\"",
			    (int)(strchr(text, ':') - text), text);
		} else {
			err_set(e, "decrypt", "cannot decrypt credential: not "
			    "an encrypted value (expected \"v1:...\")");
		}
		return -1;
	}
	text += strlen(SECRET_PREFIX);
	tlen = strlen(text);
	max = tlen / 4 * 3 + 3;
	*box = xmalloc(max);
	if (sodium_base642bin(*box, max, text, tlen, NULL, blen, NULL,
	    SECRET_B64) != 0 ||
	    *blen < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
		err_set(e, "decrypt", "cannot decrypt credential: corrupted "
		    "data");
		free(*box);
		*box = NULL;
		return -1;
	}
	return 0;
}

/*
 * The master key read once for many decryptions (a registry of a hundred
 * accounts): in guarded, locked memory, read on the first decryption and
 * wiped when freed.  Each read of the key otherwise locks and unprotects
 * memory (or opens the key file): ~30 us, against ~1 us to decrypt.
 */
struct secret_keys {
	char		*home;
	unsigned char	*key;		/* sodium_malloc, or NULL: not read */
	struct err	 err;		/* why the key could not be read */
};

struct secret_keys *
secret_keys_new(const char *home)
{
	struct secret_keys	*k;

	k = xcalloc(1, sizeof *k);
	k->home = home != NULL ? xstrdup(home) : NULL;
	return k;
}

void
secret_keys_free(struct secret_keys *k)
{
	if (k == NULL)
		return;
	sodium_free(k->key);
	free(k->home);
	free(k);
}

static int
secret_keys_read(struct secret_keys *k, struct err *e)
{
	if (k->key != NULL)
		return 0;
	if (err_isset(&k->err)) {
		*e = k->err;
		return -1;
	}
	if (secret_init(e) != 0)
		return -1;
	if ((k->key = sodium_malloc(crypto_secretbox_KEYBYTES)) == NULL) {
		err_set(e, "decrypt", "cannot lock memory for the master key");
		return -1;
	}
	if (secret_key(k->home, 0, k->key, &k->err) != 0) {
		sodium_free(k->key);
		k->key = NULL;
		*e = k->err;
		return -1;
	}
	return 0;
}

int
secret_keys_decrypt(struct secret_keys *k, const char *text,
    char **plain_out, struct err *e)
{
	unsigned char	*box;
	size_t		 blen, mlen;
	char		*plain;

	*plain_out = NULL;
	if (secret_init(e) != 0)
		return -1;
	if (secret_unwrap(text, &box, &blen, e) != 0)
		return -1;
	if (secret_keys_read(k, e) != 0) {
		free(box);
		return -1;
	}
	mlen = blen - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
	plain = xmalloc(mlen + 1);
	if (crypto_secretbox_open_easy((unsigned char *)plain,
	    box + crypto_secretbox_NONCEBYTES,
	    blen - crypto_secretbox_NONCEBYTES, box, k->key) != 0) {
		sodium_memzero(plain, mlen + 1);
		free(plain);
		free(box);
		err_set(e, "decrypt", "cannot decrypt credential: wrong master "
		    "key or corrupted data");
		return -1;
	}
	free(box);
	plain[mlen] = '\0';
	*plain_out = plain;
	return 0;
}

int
secret_decrypt(const char *home, const char *text, char **plain_out,
    struct err *e)
{
	struct secret_keys	*k = secret_keys_new(home);
	int			 rc;

	rc = secret_keys_decrypt(k, text, plain_out, e);
	secret_keys_free(k);
	return rc;
}

void
secret_free(char *plain)
{
	if (plain == NULL)
		return;
	sodium_memzero(plain, strlen(plain));
	free(plain);
}

const char *
secret_mask(const char *s)
{
	return (s != NULL && *s != '\0') ? "****" : "";
}
