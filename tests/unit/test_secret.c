/* Tests for src/util/secret.c: sealing credentials under the master key. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/secret.h"

/* 32 bytes 0x00..0x1f, as hex and as base64. */
#define KEY_HEX	"000102030405060708090a0b0c0d0e0f" \
		"101112131415161718191a1b1c1d1e1f"
#define KEY_B64	"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

struct fixture {
	char		 home[64];
	struct err	 err;
};

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int
setup(void **state)
{
	struct fixture	*f;

	f = xcalloc(1, sizeof *f);
	strcpy(f->home, "/tmp/px-secret-XXXXXX");
	if (mkdtemp(f->home) == NULL)
		return -1;
	unsetenv("PHALANX_MASTER_KEY");
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	unsetenv("PHALANX_MASTER_KEY");
	nftw(f->home, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static char *
key_path(struct fixture *f)
{
	return xasprintf("%s/%s", f->home, SECRET_KEY_FILE);
}

static void
test_round_trip(void **state)
{
	struct fixture	*f = *state;
	const char	*inputs[] = { "api-secret-123", "", "ünïcødé ₹ token" };
	char		*enc, *dec;
	size_t		 i;

	for (i = 0; i < nitems(inputs); i++) {
		assert_int_equal(secret_encrypt(f->home, inputs[i], &enc,
		    &f->err), 0);
		assert_int_equal(strncmp(enc, "v1:", 3), 0);
		assert_null(strstr(enc, "secret"));
		assert_int_equal(secret_decrypt(f->home, enc, &dec, &f->err),
		    0);
		assert_string_equal(dec, inputs[i]);
		secret_free(dec);
		free(enc);
	}
}

static void
test_key_file_created(void **state)
{
	struct fixture	*f = *state;
	struct stat	 st;
	char		*home, *path, *enc;

	/* A home that does not exist yet is created. */
	home = xasprintf("%s/a/b", f->home);
	assert_int_equal(secret_encrypt(home, "x", &enc, &f->err), 0);
	path = xasprintf("%s/%s", home, SECRET_KEY_FILE);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, 65);
	assert_int_equal(stat(home, &st), 0);
	assert_int_equal(st.st_mode & 077, 0);
	free(enc);
	free(path);
	free(home);
}

static void
test_key_file_reused(void **state)
{
	struct fixture	*f = *state;
	struct stat	 a, b;
	char		*path, *enc, *dec;

	assert_int_equal(secret_encrypt(f->home, "one", &enc, &f->err), 0);
	free(enc);
	path = key_path(f);
	assert_int_equal(stat(path, &a), 0);
	assert_int_equal(secret_encrypt(f->home, "two", &enc, &f->err), 0);
	assert_int_equal(stat(path, &b), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	assert_int_equal(secret_decrypt(f->home, enc, &dec, &f->err), 0);
	assert_string_equal(dec, "two");
	secret_free(dec);
	free(enc);
	free(path);
}

static void
test_nonce_differs(void **state)
{
	struct fixture	*f = *state;
	char		*a, *b;

	assert_int_equal(secret_encrypt(f->home, "same", &a, &f->err), 0);
	assert_int_equal(secret_encrypt(f->home, "same", &b, &f->err), 0);
	assert_string_not_equal(a, b);
	/* The nonce is the first 24 bytes: 32 base64 characters. */
	assert_int_not_equal(memcmp(a + 3, b + 3, 32), 0);
	free(a);
	free(b);
}

static void
test_tamper(void **state)
{
	struct fixture	*f = *state;
	char		*enc, *dec = (char *)1;
	size_t		 len, i;

	assert_int_equal(secret_encrypt(f->home, "api-secret", &enc, &f->err),
	    0);
	len = strlen(enc);
	/* Change one character in the nonce, the MAC and the ciphertext. */
	for (i = 5; i < len - 2; i += 13) {
		char	saved = enc[i];

		enc[i] = (enc[i] == 'A') ? 'B' : 'A';
		err_clear(&f->err);
		assert_int_equal(secret_decrypt(f->home, enc, &dec, &f->err),
		    -1);
		assert_null(dec);
		assert_string_equal(f->err.msg, "cannot decrypt credential: "
		    "wrong master key or corrupted data");
		enc[i] = saved;
	}
	/* Truncated, not base64, or not ours at all. */
	enc[10] = '\0';
	assert_int_equal(secret_decrypt(f->home, enc, &dec, &f->err), -1);
	assert_non_null(strstr(f->err.msg, "corrupted data"));
	assert_int_equal(secret_decrypt(f->home, "v1:!!!!", &dec, &f->err), -1);
	assert_non_null(strstr(f->err.msg, "corrupted data"));
	assert_int_equal(secret_decrypt(f->home, "plaintext", &dec, &f->err),
	    -1);
	assert_non_null(strstr(f->err.msg, "not an encrypted value"));
	assert_int_equal(secret_decrypt(f->home, "v2:AAAA", &dec, &f->err), -1);
	assert_non_null(strstr(f->err.msg, "unsupported format \"v2\""));
	free(enc);
}

static void
test_wrong_key(void **state)
{
	struct fixture	*f = *state;
	char		*other, *enc, *enc2, *dec = NULL;

	other = xasprintf("%s/other", f->home);
	assert_int_equal(secret_encrypt(f->home, "api-secret", &enc, &f->err),
	    0);
	assert_int_equal(secret_encrypt(other, "x", &enc2, &f->err), 0);
	assert_int_equal(secret_decrypt(other, enc, &dec, &f->err), -1);
	assert_null(dec);
	assert_string_equal(f->err.code, "decrypt");
	assert_string_equal(f->err.msg, "cannot decrypt credential: wrong "
	    "master key or corrupted data");

	/* And with the right key from the environment, the wrong one. */
	setenv("PHALANX_MASTER_KEY", KEY_HEX, 1);
	assert_int_equal(secret_decrypt(f->home, enc, &dec, &f->err), -1);
	assert_non_null(strstr(f->err.msg, "wrong master key"));
	free(enc);
	free(enc2);
	free(other);
}

/*
 * A batch reads the key once: every value opens after the key file is
 * gone, a value sealed under another key fails alone, and a batch whose
 * key cannot be read says why for each value, as secret_decrypt does.
 */
static void
test_keys_batch(void **state)
{
	struct fixture		*f = *state;
	struct secret_keys	*k;
	char			*enc[3], *other, *bad, *dec, *path, *want;
	size_t			 i;

	for (i = 0; i < 3; i++) {
		char plain[16];

		snprintf(plain, sizeof plain, "token-%zu", i);
		assert_int_equal(secret_encrypt(f->home, plain, &enc[i],
		    &f->err), 0);
	}
	other = xasprintf("%s/other", f->home);
	assert_int_equal(secret_encrypt(other, "x", &bad, &f->err), 0);
	path = key_path(f);

	k = secret_keys_new(f->home);
	assert_int_equal(secret_keys_decrypt(k, enc[0], &dec, &f->err), 0);
	assert_string_equal(dec, "token-0");
	secret_free(dec);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(secret_keys_decrypt(k, bad, &dec, &f->err), -1);
	assert_null(dec);
	assert_non_null(strstr(f->err.msg, "wrong master key"));
	for (i = 1; i < 3; i++) {
		char want_plain[16];

		snprintf(want_plain, sizeof want_plain, "token-%zu", i);
		assert_int_equal(secret_keys_decrypt(k, enc[i], &dec,
		    &f->err), 0);
		assert_string_equal(dec, want_plain);
		secret_free(dec);
	}
	secret_keys_free(k);

	/* The key file gone: each value of a new batch says so. */
	want = xasprintf("no master key: %s does not exist and "
	    "PHALANX_MASTER_KEY is not set", path);
	k = secret_keys_new(f->home);
	for (i = 0; i < 2; i++) {
		err_clear(&f->err);
		assert_int_equal(secret_keys_decrypt(k, enc[i], &dec,
		    &f->err), -1);
		assert_null(dec);
		assert_string_equal(f->err.msg, want);
	}
	assert_int_equal(secret_keys_decrypt(k, "garbage", &dec, &f->err),
	    -1);
	assert_non_null(strstr(f->err.msg, "not an encrypted value"));
	secret_keys_free(k);
	secret_keys_free(NULL);
	for (i = 0; i < 3; i++)
		free(enc[i]);
	free(bad);
	free(other);
	free(path);
	free(want);
}

static void
test_no_key_to_decrypt(void **state)
{
	struct fixture	*f = *state;
	char		*enc, *dec, *path, *want;

	setenv("PHALANX_MASTER_KEY", KEY_HEX, 1);
	assert_int_equal(secret_encrypt(f->home, "s", &enc, &f->err), 0);
	unsetenv("PHALANX_MASTER_KEY");
	assert_int_equal(secret_decrypt(f->home, enc, &dec, &f->err), -1);
	path = key_path(f);
	want = xasprintf("no master key: %s does not exist and "
	    "PHALANX_MASTER_KEY is not set", path);
	assert_string_equal(f->err.msg, want);
	/* Decrypting never creates a key. */
	assert_int_equal(access(path, F_OK), -1);
	free(want);
	free(path);
	free(enc);
}

static void
test_key_file_mode_refused(void **state)
{
	struct fixture	*f = *state;
	char		*path, *enc, *dec;

	assert_int_equal(secret_encrypt(f->home, "s", &enc, &f->err), 0);
	path = key_path(f);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(secret_decrypt(f->home, enc, &dec, &f->err), -1);
	assert_string_equal(f->err.code, "master-key");
	assert_non_null(strstr(f->err.msg, path));
	assert_non_null(strstr(f->err.msg, "mode 0644"));
	assert_non_null(strstr(f->err.msg, "chmod 600"));
	free(enc);
	assert_int_equal(secret_encrypt(f->home, "s", &enc, &f->err), -1);
	assert_null(enc);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(secret_encrypt(f->home, "s", &enc, &f->err), 0);
	free(enc);
	free(path);
}

static void
test_key_file_garbage(void **state)
{
	struct fixture	*f = *state;
	char		*path, *enc;
	FILE		*fp;

	path = key_path(f);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("not a key\n", fp);
	fclose(fp);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(secret_encrypt(f->home, "s", &enc, &f->err), -1);
	assert_non_null(strstr(f->err.msg, path));
	assert_non_null(strstr(f->err.msg, "expected 64 hex digits"));
	free(path);
}

static void
test_env_key_hex_and_base64(void **state)
{
	struct fixture	*f = *state;
	const char	*forms[] = {
		KEY_HEX "\n",
		KEY_B64,
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
		"000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F",
	};
	char		*enc, *dec, *path;
	size_t		 i;

	setenv("PHALANX_MASTER_KEY", KEY_HEX, 1);
	assert_int_equal(secret_encrypt(f->home, "tok", &enc, &f->err), 0);
	path = key_path(f);
	assert_int_equal(access(path, F_OK), -1);
	for (i = 0; i < nitems(forms); i++) {
		setenv("PHALANX_MASTER_KEY", forms[i], 1);
		assert_int_equal(secret_decrypt(f->home, enc, &dec, &f->err),
		    0);
		assert_string_equal(dec, "tok");
		secret_free(dec);
	}
	free(enc);
	free(path);
}

static void
test_env_key_bad(void **state)
{
	struct fixture	*f = *state;
	const char	*bad[] = {
		"abc",
		KEY_HEX "0",
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1g",
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==",
		"correct horse battery staple",
	};
	const char	*want = "PHALANX_MASTER_KEY: expected 64 hex digits "
	    "or the base64 of 32 bytes (got ";
	char		*enc;
	size_t		 i;

	for (i = 0; i < nitems(bad); i++) {
		setenv("PHALANX_MASTER_KEY", bad[i], 1);
		assert_int_equal(secret_encrypt(f->home, "s", &enc, &f->err),
		    -1);
		assert_null(enc);
		assert_string_equal(f->err.code, "master-key");
		assert_int_equal(strncmp(f->err.msg, want, strlen(want)), 0);
		/* The message never repeats the would-be key. */
		assert_null(strstr(f->err.msg, bad[i]));
	}
	setenv("PHALANX_MASTER_KEY", "", 1);
	assert_int_equal(secret_encrypt(f->home, "s", &enc, &f->err), -1);
	assert_non_null(strstr(f->err.msg, "set but empty"));
}

static void
test_mask(void **state)
{
	assert_string_equal(secret_mask("hunter2"), "****");
	assert_string_equal(secret_mask("x"), "****");
	assert_string_equal(secret_mask(""), "");
	assert_string_equal(secret_mask(NULL), "");
	secret_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_round_trip),
		T(test_key_file_created),
		T(test_key_file_reused),
		T(test_nonce_differs),
		T(test_tamper),
		T(test_wrong_key),
		T(test_no_key_to_decrypt),
		T(test_keys_batch),
		T(test_key_file_mode_refused),
		T(test_key_file_garbage),
		T(test_env_key_hex_and_base64),
		T(test_env_key_bad),
		T(test_mask),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
