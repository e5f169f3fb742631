/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-crypto"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <gcrypt.h>
#include <string.h>

#include "casedb-crypto.h"
#include "casedb-error.h"
#include "casedb-secure.h"

/* Composition only: every primitive below is libgcrypt's. */

#define BOX_LABEL "casedb-box-v1"

void
casedb_kdf_params_default (CasedbKdfParams *params)
{
  /* 64 MiB, 8 passes: 0.43 s on the 2-core reference machine (see
   * docs/design.md, "Key design"); one lane, as libgcrypt computes lanes
   * one after another without a thread pool. */
  params->iterations = 8;
  params->memory_kib = 64 * 1024;
  params->parallelism = 1;
}

void
casedb_kdf_params_testing (CasedbKdfParams *params)
{
  params->iterations = 1;
  params->memory_kib = 64;
  params->parallelism = 1;
}

gboolean
casedb_crypto_init (GError **error)
{
  return casedb_secure_init (error);
}

void
casedb_random_key (guint8 *buf, gsize len)
{
  gcry_randomize (buf, len, GCRY_VERY_STRONG_RANDOM);
}

void
casedb_random_nonce (guint8 *buf, gsize len)
{
  gcry_create_nonce (buf, len);
}

char *
casedb_random_uuid (void)
{
  guint8 b[16];

  /* An identifier, not a secret: it must be unique and unguessable, which
   * libgcrypt's nonce generator (seeded from the strong pool) gives at 1/40
   * of the cost of GCRY_STRONG_RANDOM, about 20 µs a call, once per case. */
  gcry_create_nonce (b, sizeof b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  return g_strdup_printf ("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                          b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
                          b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

static gboolean
gcry_failed (gcry_error_t err, const char *what, GError **error)
{
  if (err == 0)
    return FALSE;
  g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_FAILED,
               /* Translators: %s is an operation, then libgcrypt's reason */
               _("Cryptographic operation failed (%s): %s"), what, gcry_strerror (err));
  return TRUE;
}

gboolean
casedb_argon2id_full (const guint8 *password, gsize password_len,
                      const guint8 *salt, gsize salt_len,
                      const guint8 *secret, gsize secret_len,
                      const guint8 *ad, gsize ad_len,
                      const CasedbKdfParams *params,
                      guint8 *out, gsize out_len,
                      GError **error)
{
  gcry_kdf_hd_t hd = NULL;
  unsigned long p[4];
  gcry_error_t err;

  g_return_val_if_fail (params != NULL, FALSE);
  g_return_val_if_fail (out != NULL && out_len >= 4, FALSE);

  p[0] = out_len;
  p[1] = params->iterations;
  p[2] = params->memory_kib;
  p[3] = params->parallelism;

  err = gcry_kdf_open (&hd, GCRY_KDF_ARGON2, GCRY_KDF_ARGON2ID, p, 4,
                       password, password_len, salt, salt_len,
                       secret, secret_len, ad, ad_len);
  if (gcry_failed (err, "argon2id", error))
    return FALSE;
  err = gcry_kdf_compute (hd, NULL);
  if (err == 0)
    err = gcry_kdf_final (hd, out_len, out);
  gcry_kdf_close (hd);
  if (err != 0)
    casedb_secure_wipe (out, out_len);
  return !gcry_failed (err, "argon2id", error);
}

gboolean
casedb_argon2id (const char *password, gsize password_len,
                 const guint8 *salt, gsize salt_len,
                 const CasedbKdfParams *params,
                 guint8 *out, gsize out_len,
                 GError **error)
{
  return casedb_argon2id_full ((const guint8 *) password, password_len, salt, salt_len,
                               NULL, 0, NULL, 0, params, out, out_len, error);
}

static gcry_cipher_hd_t
open_cipher (int mode, const guint8 key[CASEDB_KEY_LEN], GError **error)
{
  gcry_cipher_hd_t hd = NULL;
  gcry_error_t err;

  err = gcry_cipher_open (&hd, GCRY_CIPHER_AES256, mode, GCRY_CIPHER_SECURE);
  if (gcry_failed (err, "open", error))
    return NULL;
  err = gcry_cipher_setkey (hd, key, CASEDB_KEY_LEN);
  if (gcry_failed (err, "setkey", error))
    {
      gcry_cipher_close (hd);
      return NULL;
    }
  return hd;
}

gboolean
casedb_aes_wrap (const guint8 kek[CASEDB_KEY_LEN], const guint8 *key, gsize key_len,
                 guint8 *out, GError **error)
{
  gcry_cipher_hd_t hd;
  gcry_error_t err;

  g_return_val_if_fail (key_len >= 16 && key_len % 8 == 0, FALSE);

  if ((hd = open_cipher (GCRY_CIPHER_MODE_AESWRAP, kek, error)) == NULL)
    return FALSE;
  err = gcry_cipher_encrypt (hd, out, key_len + 8, key, key_len);
  gcry_cipher_close (hd);
  return !gcry_failed (err, "wrap", error);
}

gboolean
casedb_aes_unwrap (const guint8 kek[CASEDB_KEY_LEN], const guint8 *wrapped, gsize wrapped_len,
                   guint8 *out, GError **error)
{
  gcry_cipher_hd_t hd;
  gcry_error_t err;

  g_return_val_if_fail (wrapped_len >= 24 && wrapped_len % 8 == 0, FALSE);

  if ((hd = open_cipher (GCRY_CIPHER_MODE_AESWRAP, kek, error)) == NULL)
    return FALSE;
  err = gcry_cipher_decrypt (hd, out, wrapped_len - 8, wrapped, wrapped_len);
  gcry_cipher_close (hd);
  if (gcry_err_code (err) == GPG_ERR_CHECKSUM)
    {
      casedb_secure_wipe (out, wrapped_len - 8);
      g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_WRONG_PASSWORD,
                           _("The key could not be unwrapped: wrong password or altered key"));
      return FALSE;
    }
  return !gcry_failed (err, "unwrap", error);
}

/* GCM under an open handle whose key is set: nonce || ciphertext || tag. */
static GBytes *
gcm_seal (gcry_cipher_hd_t hd,
          const guint8 *plain, gsize plain_len,
          const guint8 *aad, gsize aad_len,
          GError **error)
{
  gcry_error_t err;
  gsize out_len = plain_len + CASEDB_SEAL_OVERHEAD;
  guint8 *out = g_malloc (out_len);
  guint8 *nonce = out;
  guint8 *body = out + CASEDB_GCM_NONCE_LEN;
  guint8 *tag = body + plain_len;

  /* A random 96-bit nonce per value: identity values are few enough
   * (far below 2^32 per key) for random nonces to stay safe. */
  casedb_random_nonce (nonce, CASEDB_GCM_NONCE_LEN);

  err = gcry_cipher_setiv (hd, nonce, CASEDB_GCM_NONCE_LEN);
  if (err == 0 && aad_len > 0)
    err = gcry_cipher_authenticate (hd, aad, aad_len);
  if (err == 0)
    err = gcry_cipher_final (hd);
  if (err == 0)
    err = gcry_cipher_encrypt (hd, body, plain_len, plain, plain_len);
  if (err == 0)
    err = gcry_cipher_gettag (hd, tag, CASEDB_GCM_TAG_LEN);

  if (gcry_failed (err, "seal", error))
    {
      g_free (out);
      return NULL;
    }
  return g_bytes_new_take (out, out_len);
}

static guint8 *
gcm_open (gcry_cipher_hd_t hd,
          const guint8 *sealed, gsize sealed_len,
          const guint8 *aad, gsize aad_len,
          gsize *plain_len, GError **error)
{
  gcry_error_t err;
  gsize len = sealed_len - CASEDB_SEAL_OVERHEAD;
  guint8 *plain;

  plain = casedb_secure_alloc (len + 1);
  err = gcry_cipher_setiv (hd, sealed, CASEDB_GCM_NONCE_LEN);
  if (err == 0 && aad_len > 0)
    err = gcry_cipher_authenticate (hd, aad, aad_len);
  if (err == 0)
    err = gcry_cipher_final (hd);
  if (err == 0)
    err = gcry_cipher_decrypt (hd, plain, len, sealed + CASEDB_GCM_NONCE_LEN, len);
  if (err == 0)
    err = gcry_cipher_checktag (hd, sealed + CASEDB_GCM_NONCE_LEN + len, CASEDB_GCM_TAG_LEN);

  if (err != 0)
    {
      casedb_secure_free (plain);
      if (gcry_err_code (err) == GPG_ERR_CHECKSUM)
        g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED,
                             _("A protected value was altered, moved to another record, or the key is wrong"));
      else
        gcry_failed (err, "open", error);
      return NULL;
    }

  plain[len] = '\0';
  if (plain_len != NULL)
    *plain_len = len;
  return plain;
}

static gboolean
check_sealed_len (const guint8 *sealed, gsize sealed_len, GError **error)
{
  if (sealed == NULL || sealed_len < CASEDB_SEAL_OVERHEAD)
    {
      g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED,
                           _("A protected value is truncated"));
      return FALSE;
    }
  return TRUE;
}

GBytes *
casedb_seal (const guint8 key[CASEDB_KEY_LEN],
             const guint8 *plain, gsize plain_len,
             const guint8 *aad, gsize aad_len,
             GError **error)
{
  gcry_cipher_hd_t hd;
  GBytes *sealed;

  if ((hd = open_cipher (GCRY_CIPHER_MODE_GCM, key, error)) == NULL)
    return NULL;
  sealed = gcm_seal (hd, plain, plain_len, aad, aad_len, error);
  gcry_cipher_close (hd);
  return sealed;
}

guint8 *
casedb_open (const guint8 key[CASEDB_KEY_LEN],
             const guint8 *sealed, gsize sealed_len,
             const guint8 *aad, gsize aad_len,
             gsize *plain_len, GError **error)
{
  gcry_cipher_hd_t hd;
  guint8 *plain;

  if (!check_sealed_len (sealed, sealed_len, error))
    return NULL;
  if ((hd = open_cipher (GCRY_CIPHER_MODE_GCM, key, error)) == NULL)
    return NULL;
  plain = gcm_open (hd, sealed, sealed_len, aad, aad_len, plain_len, error);
  gcry_cipher_close (hd);
  return plain;
}

/* ---- CasedbSealer ---- */

struct _CasedbSealer
{
  gcry_cipher_hd_t hd;
  guint8           key[CASEDB_KEY_LEN];
};

/**
 * casedb_sealer_new:
 *
 * Returns: (transfer full): a sealer for @key (copied), or %NULL
 */
CasedbSealer *
casedb_sealer_new (const guint8   key[CASEDB_KEY_LEN],
                   GError       **error)
{
  CasedbSealer *self;

  g_return_val_if_fail (key != NULL, NULL);

  /* The struct holds a copy of the key: secure memory, wiped on free. */
  self = casedb_secure_alloc (sizeof *self);
  if ((self->hd = open_cipher (GCRY_CIPHER_MODE_GCM, key, error)) == NULL)
    {
      casedb_secure_free (self);
      return NULL;
    }
  memcpy (self->key, key, CASEDB_KEY_LEN);
  return self;
}

void
casedb_sealer_free (CasedbSealer *self)
{
  if (self == NULL)
    return;
  /* gcry_cipher_close wipes the key schedule; casedb_secure_free the key. */
  gcry_cipher_close (self->hd);
  casedb_secure_free (self);
}

gboolean
casedb_sealer_has_key (CasedbSealer *self,
                       const guint8  key[CASEDB_KEY_LEN])
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  return casedb_memeq (self->key, key, CASEDB_KEY_LEN);
}

GBytes *
casedb_sealer_seal (CasedbSealer *self,
                    const guint8 *plain, gsize plain_len,
                    const guint8 *aad, gsize aad_len,
                    GError **error)
{
  g_return_val_if_fail (self != NULL, NULL);

  /* Back to the state right after setkey: no IV, AAD or tag left over. */
  if (gcry_failed (gcry_cipher_reset (self->hd), "reset", error))
    return NULL;
  return gcm_seal (self->hd, plain, plain_len, aad, aad_len, error);
}

guint8 *
casedb_sealer_open (CasedbSealer *self,
                    const guint8 *sealed, gsize sealed_len,
                    const guint8 *aad, gsize aad_len,
                    gsize *plain_len, GError **error)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (!check_sealed_len (sealed, sealed_len, error))
    return NULL;
  if (gcry_failed (gcry_cipher_reset (self->hd), "reset", error))
    return NULL;
  return gcm_open (self->hd, sealed, sealed_len, aad, aad_len, plain_len, error);
}

static const guint8 x25519_base[CASEDB_X25519_LEN] = { 9 };

gboolean
casedb_x25519 (const guint8 secret[CASEDB_X25519_LEN],
               const guint8 point[CASEDB_X25519_LEN],
               guint8 shared[CASEDB_X25519_LEN],
               GError **error)
{
  static const guint8 zero[CASEDB_X25519_LEN] = { 0 };
  gcry_error_t err;

  err = gcry_ecc_mul_point (GCRY_ECC_CURVE25519, shared, secret, point);
  if (gcry_failed (err, "x25519", error))
    return FALSE;
  /* A low-order point gives an all-zero result (RFC 7748, section 6.1). */
  if (casedb_memeq (shared, zero, CASEDB_X25519_LEN))
    {
      g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED,
                           _("An invalid public key was found"));
      return FALSE;
    }
  return TRUE;
}

void
casedb_x25519_keypair (guint8 secret[CASEDB_X25519_LEN],
                       guint8 public_key[CASEDB_X25519_LEN])
{
  g_autoptr(GError) error = NULL;

  casedb_random_key (secret, CASEDB_X25519_LEN);
  /* RFC 7748 clamping; libgcrypt clamps too, doing it here keeps the stored
   * scalar canonical. */
  secret[0] &= 248;
  secret[31] &= 127;
  secret[31] |= 64;
  if (!casedb_x25519 (secret, x25519_base, public_key, &error))
    g_error ("X25519 key generation failed: %s", error->message);
}

static void
box_key (const guint8 shared[CASEDB_X25519_LEN],
         const guint8 eph_public[CASEDB_X25519_LEN],
         const guint8 recipient_public[CASEDB_X25519_LEN],
         guint8 key[CASEDB_KEY_LEN])
{
  guint8 info[sizeof BOX_LABEL - 1 + 2 * CASEDB_X25519_LEN];

  memcpy (info, BOX_LABEL, sizeof BOX_LABEL - 1);
  memcpy (info + sizeof BOX_LABEL - 1, eph_public, CASEDB_X25519_LEN);
  memcpy (info + sizeof BOX_LABEL - 1 + CASEDB_X25519_LEN, recipient_public, CASEDB_X25519_LEN);
  casedb_hmac_sha256 (shared, CASEDB_X25519_LEN, info, sizeof info, key);
}

GBytes *
casedb_box_seal (const guint8 recipient_public[CASEDB_X25519_LEN],
                 const guint8 *plain, gsize plain_len,
                 const guint8 *aad, gsize aad_len,
                 GError **error)
{
  guint8 *eph_secret = casedb_secure_alloc (CASEDB_X25519_LEN);
  guint8 *shared = casedb_secure_alloc (CASEDB_X25519_LEN);
  guint8 *key = casedb_secure_alloc (CASEDB_KEY_LEN);
  guint8 eph_public[CASEDB_X25519_LEN];
  g_autoptr(GBytes) sealed = NULL;
  GByteArray *out = NULL;

  casedb_x25519_keypair (eph_secret, eph_public);
  if (casedb_x25519 (eph_secret, recipient_public, shared, error))
    {
      box_key (shared, eph_public, recipient_public, key);
      sealed = casedb_seal (key, plain, plain_len, aad, aad_len, error);
    }
  casedb_secure_free (eph_secret);
  casedb_secure_free (shared);
  casedb_secure_free (key);

  if (sealed == NULL)
    return NULL;

  out = g_byte_array_sized_new (CASEDB_X25519_LEN + g_bytes_get_size (sealed));
  g_byte_array_append (out, eph_public, CASEDB_X25519_LEN);
  g_byte_array_append (out, g_bytes_get_data (sealed, NULL), g_bytes_get_size (sealed));
  return g_byte_array_free_to_bytes (out);
}

guint8 *
casedb_box_open (const guint8 recipient_secret[CASEDB_X25519_LEN],
                 const guint8 *boxed, gsize boxed_len,
                 const guint8 *aad, gsize aad_len,
                 gsize *plain_len, GError **error)
{
  guint8 *shared = NULL;
  guint8 *key = NULL;
  guint8 recipient_public[CASEDB_X25519_LEN];
  guint8 *plain = NULL;

  if (boxed == NULL || boxed_len < CASEDB_BOX_OVERHEAD)
    {
      g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED,
                           _("A sealed key is truncated"));
      return NULL;
    }

  shared = casedb_secure_alloc (CASEDB_X25519_LEN);
  key = casedb_secure_alloc (CASEDB_KEY_LEN);
  if (casedb_x25519 (recipient_secret, x25519_base, recipient_public, error) &&
      casedb_x25519 (recipient_secret, boxed, shared, error))
    {
      box_key (shared, boxed, recipient_public, key);
      plain = casedb_open (key, boxed + CASEDB_X25519_LEN, boxed_len - CASEDB_X25519_LEN,
                           aad, aad_len, plain_len, error);
    }
  casedb_secure_free (shared);
  casedb_secure_free (key);
  return plain;
}

void
casedb_hmac_sha256 (const guint8 *key, gsize key_len,
                    const guint8 *data, gsize data_len,
                    guint8 out[32])
{
  gcry_md_hd_t hd = NULL;
  gcry_error_t err;

  err = gcry_md_open (&hd, GCRY_MD_SHA256, GCRY_MD_FLAG_HMAC | GCRY_MD_FLAG_SECURE);
  if (err == 0)
    err = gcry_md_setkey (hd, key, key_len);
  if (err != 0)
    g_error ("HMAC-SHA256 unavailable: %s", gcry_strerror (err));
  gcry_md_write (hd, data, data_len);
  memcpy (out, gcry_md_read (hd, GCRY_MD_SHA256), 32);
  gcry_md_close (hd);
}

void
casedb_sha256 (const guint8 *data, gsize len, guint8 out[32])
{
  gcry_md_hash_buffer (GCRY_MD_SHA256, out, data, len);
}

gboolean
casedb_memeq (const guint8 *a, const guint8 *b, gsize len)
{
  guint8 diff = 0;

  for (gsize i = 0; i < len; i++)
    diff |= a[i] ^ b[i];
  return diff == 0;
}

void
casedb_hex_encode (const guint8 *data, gsize len, char *out)
{
  static const char digits[] = "0123456789abcdef";

  for (gsize i = 0; i < len; i++)
    {
      out[2 * i] = digits[data[i] >> 4];
      out[2 * i + 1] = digits[data[i] & 0x0f];
    }
  out[2 * len] = '\0';
}
