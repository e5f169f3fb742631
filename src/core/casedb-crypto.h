/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Only libgcrypt primitives; this file composes, it never implements one. */

#define CASEDB_KEY_LEN       32   /* AES-256 / X25519 / HMAC-SHA256 */
#define CASEDB_GCM_NONCE_LEN 12
#define CASEDB_GCM_TAG_LEN   16
#define CASEDB_SEAL_OVERHEAD (CASEDB_GCM_NONCE_LEN + CASEDB_GCM_TAG_LEN)
#define CASEDB_X25519_LEN    32
#define CASEDB_BOX_OVERHEAD  (CASEDB_X25519_LEN + CASEDB_SEAL_OVERHEAD)

typedef struct {
  guint32 iterations;   /* Argon2 t */
  guint32 memory_kib;   /* Argon2 m */
  guint32 parallelism;  /* Argon2 p */
} CasedbKdfParams;

/* Upper bounds for costs read from files (key slots, packages): a forged
 * file must not make us spin for an hour or allocate gigabytes. */
#define CASEDB_KDF_MAX_ITERATIONS 64
#define CASEDB_KDF_MAX_MEMORY_KIB (1024 * 1024)

/* Default cost: 64 MiB, calibrated to about half a second on a 2-core machine. */
void      casedb_kdf_params_default (CasedbKdfParams *params);
/* For tests only: a cheap cost (never reachable from a user-facing option). */
void      casedb_kdf_params_testing (CasedbKdfParams *params);

gboolean  casedb_crypto_init        (GError **error);   /* libgcrypt + secure memory */

/* Strong random bytes (GCRY_VERY_STRONG_RANDOM for keys). */
void      casedb_random_key         (guint8 *buf, gsize len);
void      casedb_random_nonce       (guint8 *buf, gsize len);
/* A random RFC 4122 v4 UUID string. */
char     *casedb_random_uuid        (void);

/* Argon2id over @password into @out (secure memory advised). */
gboolean  casedb_argon2id           (const char            *password,
                                     gsize                  password_len,
                                     const guint8          *salt,
                                     gsize                  salt_len,
                                     const CasedbKdfParams *params,
                                     guint8                *out,
                                     gsize                  out_len,
                                     GError               **error);
/* Full RFC 9106 form (secret and associated data), for the test vector. */
gboolean  casedb_argon2id_full      (const guint8 *password, gsize password_len,
                                     const guint8 *salt, gsize salt_len,
                                     const guint8 *secret, gsize secret_len,
                                     const guint8 *ad, gsize ad_len,
                                     const CasedbKdfParams *params,
                                     guint8 *out, gsize out_len,
                                     GError **error);

/* AES-256 key wrap (RFC 3394).  @out has @key_len + 8 bytes.  Unwrap fails
 * with CASEDB_ERROR_WRONG_PASSWORD when the integrity check fails. */
gboolean  casedb_aes_wrap           (const guint8 kek[CASEDB_KEY_LEN],
                                     const guint8 *key, gsize key_len,
                                     guint8 *out, GError **error);
gboolean  casedb_aes_unwrap         (const guint8 kek[CASEDB_KEY_LEN],
                                     const guint8 *wrapped, gsize wrapped_len,
                                     guint8 *out, GError **error);

/* AES-256-GCM with a random 96-bit nonce.  Sealed form: nonce || ciphertext || tag.
 * @aad binds the value to its place (record id, field name). */
GBytes   *casedb_seal               (const guint8  key[CASEDB_KEY_LEN],
                                     const guint8 *plain, gsize plain_len,
                                     const guint8 *aad, gsize aad_len,
                                     GError **error);
/* Opens a sealed value; the plaintext is in secure memory, NUL-terminated
 * (one extra byte, not counted in @plain_len); free with casedb_secure_free().
 * A changed byte, a wrong key or wrong @aad fails with CASEDB_ERROR_DAMAGED. */
guint8   *casedb_open               (const guint8  key[CASEDB_KEY_LEN],
                                     const guint8 *sealed, gsize sealed_len,
                                     const guint8 *aad, gsize aad_len,
                                     gsize *plain_len, GError **error);

/* A reusable AES-256-GCM context for many values under one key: the same
 * sealed form as casedb_seal()/casedb_open(), without a secure allocation and
 * a key schedule per value (libgcrypt's secure pool is searched linearly, so
 * that cost grows with every live secret).  The key and the cipher state live
 * in secure memory and are wiped by casedb_sealer_free().  Not thread-safe:
 * one sealer per thread. */
typedef struct _CasedbSealer CasedbSealer;

CasedbSealer *casedb_sealer_new     (const guint8  key[CASEDB_KEY_LEN],
                                     GError      **error);
void          casedb_sealer_free    (CasedbSealer *self);
/* Whether @self seals under @key (constant time). */
gboolean      casedb_sealer_has_key (CasedbSealer *self,
                                     const guint8  key[CASEDB_KEY_LEN]);
GBytes       *casedb_sealer_seal    (CasedbSealer *self,
                                     const guint8 *plain, gsize plain_len,
                                     const guint8 *aad, gsize aad_len,
                                     GError **error);
/* As casedb_open(): secure memory, NUL-terminated, CASEDB_ERROR_DAMAGED. */
guint8       *casedb_sealer_open    (CasedbSealer *self,
                                     const guint8 *sealed, gsize sealed_len,
                                     const guint8 *aad, gsize aad_len,
                                     gsize *plain_len, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CasedbSealer, casedb_sealer_free)

/* X25519 (RFC 7748) through gcry_ecc_mul_point. */
void      casedb_x25519_keypair     (guint8 secret[CASEDB_X25519_LEN],
                                     guint8 public_key[CASEDB_X25519_LEN]);
gboolean  casedb_x25519             (const guint8 secret[CASEDB_X25519_LEN],
                                     const guint8 point[CASEDB_X25519_LEN],
                                     guint8 shared[CASEDB_X25519_LEN],
                                     GError **error);

/* Public-key box: seals @plain to @recipient_public so that only the holder
 * of the matching secret can open it.  Form: ephemeral public || seal(...),
 * with the AES key HMAC-SHA256(shared, "casedb-box-v1" || eph || recipient).
 * Used so a supervisor can hand new keys to every slot during a rekey
 * without knowing anyone's password. */
GBytes   *casedb_box_seal           (const guint8 recipient_public[CASEDB_X25519_LEN],
                                     const guint8 *plain, gsize plain_len,
                                     const guint8 *aad, gsize aad_len,
                                     GError **error);
guint8   *casedb_box_open           (const guint8 recipient_secret[CASEDB_X25519_LEN],
                                     const guint8 *boxed, gsize boxed_len,
                                     const guint8 *aad, gsize aad_len,
                                     gsize *plain_len, GError **error);

void      casedb_hmac_sha256        (const guint8 *key, gsize key_len,
                                     const guint8 *data, gsize data_len,
                                     guint8 out[32]);
void      casedb_sha256             (const guint8 *data, gsize len, guint8 out[32]);

/* Constant-time comparison. */
gboolean  casedb_memeq              (const guint8 *a, const guint8 *b, gsize len);

/* Lowercase hex of @len bytes into @out (2*len+1 bytes, NUL-terminated). */
void      casedb_hex_encode         (const guint8 *data, gsize len, char *out);

G_END_DECLS
