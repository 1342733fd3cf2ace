/*
 * secret: credentials at rest.  Broker API secrets and access tokens are
 * stored as "v1:" + base64(nonce || crypto_secretbox(plaintext)) under a
 * 32-byte master key taken from PHALANX_MASTER_KEY (64 hex digits or base64)
 * or from HOME/master.key, a 0600 file created on first use.
 *
 * home is the phalanx home directory (NULL: path_phalanx_home()).
 */
#ifndef PX_SECRET_H
#define PX_SECRET_H

#include "util/util.h"

#define SECRET_KEY_FILE "master.key"

/* Encrypt plaintext; *out is an owned NUL-terminated string. */
int secret_encrypt(const char *home, const char *plaintext, char **out,
    struct err *);

/*
 * Decrypt text made by secret_encrypt.  *plain_out is owned by the caller,
 * who should release it with secret_free.
 */
int secret_decrypt(const char *home, const char *text, char **plain_out,
    struct err *);

/*
 * Many decryptions under one read of the master key (a registry load):
 * the key is read at the first secret_keys_decrypt, kept in guarded,
 * locked memory and wiped by secret_keys_free.  Open it for a batch, not
 * for the life of the process.
 */
struct secret_keys;
struct secret_keys *secret_keys_new(const char *home);
int secret_keys_decrypt(struct secret_keys *, const char *text,
    char **plain_out, struct err *);
void secret_keys_free(struct secret_keys *);

/*
 * Move PHALANX_MASTER_KEY from the environment into locked memory and wipe
 * it there, so that no child process inherits it: main() calls it first.
 */
void secret_env_take(void);

/* No core dumps, not dumpable (Linux): for every process holding the key. */
int secret_protect_process(struct err *);

/* Zero a decrypted string, then free it. */
void secret_free(char *);

/* What to show instead of a secret: "****" if set, "" if empty. */
const char *secret_mask(const char *);

#endif
