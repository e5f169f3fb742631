/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-test"

#include "config.h"

#include <string.h>

#include "casedb-test-util.h"

static void
hex_decode (const char *hex, guint8 *out, gsize len)
{
  g_assert_cmpuint (strlen (hex), ==, 2 * len);
  for (gsize i = 0; i < len; i++)
    out[i] = (g_ascii_xdigit_value (hex[2 * i]) << 4) | g_ascii_xdigit_value (hex[2 * i + 1]);
}

static void
assert_hex (const guint8 *data, gsize len, const char *expected)
{
  g_autofree char *hex = g_malloc (2 * len + 1);

  casedb_hex_encode (data, len, hex);
  g_assert_cmpstr (hex, ==, expected);
}

/* RFC 9106, section 5.3: Argon2id test vector. */
static void
test_argon2id_rfc9106 (void)
{
  g_autoptr(GError) error = NULL;
  guint8 password[32], salt[16], secret[8], ad[12], tag[32];
  CasedbKdfParams params = { .iterations = 3, .memory_kib = 32, .parallelism = 4 };

  memset (password, 0x01, sizeof password);
  memset (salt, 0x02, sizeof salt);
  memset (secret, 0x03, sizeof secret);
  memset (ad, 0x04, sizeof ad);

  g_assert_true (casedb_argon2id_full (password, sizeof password, salt, sizeof salt,
                                       secret, sizeof secret, ad, sizeof ad,
                                       &params, tag, sizeof tag, &error));
  g_assert_no_error (error);
  assert_hex (tag, sizeof tag,
              "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659");
}

static void
test_argon2id_password_matters (void)
{
  CasedbKdfParams params;
  guint8 salt[16] = { 7 };
  guint8 a[32], b[32], c[32];

  casedb_kdf_params_testing (&params);
  g_assert_true (casedb_argon2id ("correct horse", 13, salt, sizeof salt, &params, a, 32, NULL));
  g_assert_true (casedb_argon2id ("correct horsf", 13, salt, sizeof salt, &params, b, 32, NULL));
  salt[0] = 8;
  g_assert_true (casedb_argon2id ("correct horse", 13, salt, sizeof salt, &params, c, 32, NULL));
  g_assert_false (casedb_memeq (a, b, 32));
  g_assert_false (casedb_memeq (a, c, 32));
}

/* RFC 3394, section 4.6: wrap 256 bits of key data with a 256-bit KEK. */
static void
test_aes_wrap_rfc3394 (void)
{
  g_autoptr(GError) error = NULL;
  guint8 kek[32], key[32], wrapped[40], unwrapped[32];

  hex_decode ("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", kek, 32);
  hex_decode ("00112233445566778899aabbccddeeff000102030405060708090a0b0c0d0e0f", key, 32);
  g_assert_true (casedb_aes_wrap (kek, key, 32, wrapped, &error));
  g_assert_no_error (error);
  assert_hex (wrapped, 40,
              "28c9f404c4b810f4cbccb35cfb87f8263f5786e2d80ed326cbc7f0e71a99f43bfb988b9b7a02dd21");
  g_assert_true (casedb_aes_unwrap (kek, wrapped, 40, unwrapped, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (unwrapped, 32, key, 32);

  /* A wrong KEK or a changed byte is detected, not silently accepted. */
  wrapped[5] ^= 0x01;
  g_assert_false (casedb_aes_unwrap (kek, wrapped, 40, unwrapped, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_WRONG_PASSWORD);
}

static void
test_gcm_seal_open (void)
{
  g_autoptr(GError) error = NULL;
  guint8 key[32], other[32];
  const char *plain = "Zzmarker Qqvictim";
  const char *aad = "case-1\0victim_name";
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GBytes) sealed2 = NULL;
  guint8 *copy;
  guint8 *opened;
  gsize len, n = 0;

  casedb_random_key (key, sizeof key);
  casedb_random_key (other, sizeof other);

  sealed = casedb_seal (key, (const guint8 *) plain, strlen (plain), (const guint8 *) aad, 18, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (sealed), ==, strlen (plain) + CASEDB_SEAL_OVERHEAD);
  g_assert_null (memmem (g_bytes_get_data (sealed, NULL), g_bytes_get_size (sealed), plain, strlen (plain)));

  /* Random nonce: sealing the same value twice gives different bytes. */
  sealed2 = casedb_seal (key, (const guint8 *) plain, strlen (plain), (const guint8 *) aad, 18, &error);
  g_assert_false (g_bytes_equal (sealed, sealed2));

  opened = casedb_open (key, g_bytes_get_data (sealed, NULL), g_bytes_get_size (sealed),
                        (const guint8 *) aad, 18, &n, &error);
  g_assert_no_error (error);
  g_assert_cmpstr ((char *) opened, ==, plain);
  g_assert_cmpuint (n, ==, strlen (plain));
  g_assert_true (casedb_secure_is_secure (opened));
  casedb_secure_free (opened);

  /* Wrong key. */
  g_assert_null (casedb_open (other, g_bytes_get_data (sealed, NULL), g_bytes_get_size (sealed),
                              (const guint8 *) aad, 18, NULL, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED);
  g_clear_error (&error);

  /* Moved to another record (other associated data). */
  g_assert_null (casedb_open (key, g_bytes_get_data (sealed, NULL), g_bytes_get_size (sealed),
                              (const guint8 *) "case-2\0victim_name", 18, NULL, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED);
  g_clear_error (&error);

  /* Every single flipped bit is caught. */
  len = g_bytes_get_size (sealed);
  copy = g_memdup2 (g_bytes_get_data (sealed, NULL), len);
  for (gsize i = 0; i < len; i++)
    {
      copy[i] ^= 0x80;
      g_assert_null (casedb_open (key, copy, len, (const guint8 *) aad, 18, NULL, &error));
      g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED);
      g_clear_error (&error);
      copy[i] ^= 0x80;
    }
  /* Truncated. */
  g_assert_null (casedb_open (key, copy, CASEDB_SEAL_OVERHEAD - 1, (const guint8 *) aad, 18, NULL, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED);
  g_free (copy);
}

/* The reusable sealer writes exactly what casedb_seal() writes: each opens
 * the other's values, and its state never leaks from one value to the next. */
static void
test_sealer (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CasedbSealer) sealer = NULL;
  g_autoptr(CasedbSealer) wrong = NULL;
  g_autoptr(GBytes) by_seal = NULL;
  g_autoptr(GPtrArray) sealed = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  guint8 key[32], other[32];
  const char *aad = "case-1\0narrative";
  guint8 *opened;
  guint8 *copy;
  gsize len, n = 0;

  casedb_random_key (key, sizeof key);
  casedb_random_key (other, sizeof other);
  sealer = casedb_sealer_new (key, &error);
  g_assert_no_error (error);
  g_assert_nonnull (sealer);
  g_assert_true (casedb_sealer_has_key (sealer, key));
  g_assert_false (casedb_sealer_has_key (sealer, other));

  /* Many values of different lengths through one handle, then opened by
   * the one-shot function (and by the sealer) in another order. */
  for (guint i = 0; i < 64; i++)
    {
      g_autofree char *plain = g_strnfill (i, 'a' + (char) (i % 26));
      GBytes *b = casedb_sealer_seal (sealer, (const guint8 *) plain, i, (const guint8 *) aad, 17, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (g_bytes_get_size (b), ==, i + CASEDB_SEAL_OVERHEAD);
      g_ptr_array_add (sealed, b);
    }
  for (guint k = 0; k < 64; k++)
    {
      guint i = 63 - k;
      GBytes *b = g_ptr_array_index (sealed, i);
      g_autofree char *plain = g_strnfill (i, 'a' + (char) (i % 26));

      opened = casedb_open (key, g_bytes_get_data (b, NULL), g_bytes_get_size (b),
                            (const guint8 *) aad, 17, &n, &error);
      g_assert_no_error (error);
      g_assert_cmpmem (opened, n, plain, i);
      casedb_secure_free (opened);

      opened = casedb_sealer_open (sealer, g_bytes_get_data (b, NULL), g_bytes_get_size (b),
                                   (const guint8 *) aad, 17, &n, &error);
      g_assert_no_error (error);
      g_assert_cmpmem (opened, n, plain, i);
      g_assert_true (casedb_secure_is_secure (opened));
      g_assert_cmpint (opened[n], ==, '\0');
      casedb_secure_free (opened);
    }

  /* Random nonces: the same value twice gives different bytes. */
  {
    g_autoptr(GBytes) a = casedb_sealer_seal (sealer, (const guint8 *) "Zzmarker", 8, NULL, 0, NULL);
    g_autoptr(GBytes) b = casedb_sealer_seal (sealer, (const guint8 *) "Zzmarker", 8, NULL, 0, NULL);

    g_assert_false (g_bytes_equal (a, b));
    g_assert_null (memmem (g_bytes_get_data (a, NULL), g_bytes_get_size (a), "Zzmarker", 8));
  }

  /* casedb_seal() output opens with the sealer. */
  by_seal = casedb_seal (key, (const guint8 *) "Zzmarker Qqvictim", 17, (const guint8 *) aad, 17, &error);
  g_assert_no_error (error);
  opened = casedb_sealer_open (sealer, g_bytes_get_data (by_seal, NULL), g_bytes_get_size (by_seal),
                               (const guint8 *) aad, 17, &n, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (opened, n, "Zzmarker Qqvictim", 17);
  casedb_secure_free (opened);

  /* Wrong key, other associated data, every flipped bit, truncation: all
   * refused, and a refusal leaves the sealer usable. */
  wrong = casedb_sealer_new (other, &error);
  g_assert_no_error (error);
  g_assert_null (casedb_sealer_open (wrong, g_bytes_get_data (by_seal, NULL), g_bytes_get_size (by_seal),
                                     (const guint8 *) aad, 17, NULL, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED);
  g_clear_error (&error);
  g_assert_null (casedb_sealer_open (sealer, g_bytes_get_data (by_seal, NULL), g_bytes_get_size (by_seal),
                                     (const guint8 *) "case-2\0narrative", 17, NULL, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED);
  g_clear_error (&error);

  len = g_bytes_get_size (by_seal);
  copy = g_memdup2 (g_bytes_get_data (by_seal, NULL), len);
  for (gsize i = 0; i < len * 8; i++)
    {
      copy[i / 8] ^= 1 << (i % 8);
      g_assert_null (casedb_sealer_open (sealer, copy, len, (const guint8 *) aad, 17, NULL, &error));
      g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED);
      g_clear_error (&error);
      copy[i / 8] ^= 1 << (i % 8);
    }
  g_assert_null (casedb_sealer_open (sealer, copy, CASEDB_SEAL_OVERHEAD - 1, (const guint8 *) aad, 17,
                                     NULL, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED);
  g_clear_error (&error);
  g_assert_null (casedb_sealer_open (sealer, NULL, 0, NULL, 0, NULL, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED);
  g_clear_error (&error);

  opened = casedb_sealer_open (sealer, copy, len, (const guint8 *) aad, 17, &n, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (opened, n, "Zzmarker Qqvictim", 17);
  casedb_secure_free (opened);
  g_free (copy);

  /* An empty value and an empty AAD round-trip too. */
  {
    g_autoptr(GBytes) empty = casedb_sealer_seal (sealer, (const guint8 *) "", 0, NULL, 0, &error);

    g_assert_no_error (error);
    opened = casedb_open (key, g_bytes_get_data (empty, NULL), g_bytes_get_size (empty), NULL, 0, &n, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (n, ==, 0);
    casedb_secure_free (opened);
  }
}

/* RFC 7748, section 6.1: Diffie-Hellman test vector. */
static void
test_x25519_rfc7748 (void)
{
  g_autoptr(GError) error = NULL;
  guint8 alice_sec[32], alice_pub[32], bob_pub[32], shared[32];
  static const guint8 base[32] = { 9 };

  hex_decode ("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a", alice_sec, 32);
  hex_decode ("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", bob_pub, 32);
  g_assert_true (casedb_x25519 (alice_sec, base, alice_pub, &error));
  assert_hex (alice_pub, 32, "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  g_assert_true (casedb_x25519 (alice_sec, bob_pub, shared, &error));
  g_assert_no_error (error);
  assert_hex (shared, 32, "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
}

static void
test_box (void)
{
  g_autoptr(GError) error = NULL;
  guint8 sec[32], pub[32], sec2[32], pub2[32];
  const char *msg = "the data key";
  g_autoptr(GBytes) boxed = NULL;
  guint8 *opened;
  guint8 *copy;
  gsize n;

  casedb_x25519_keypair (sec, pub);
  casedb_x25519_keypair (sec2, pub2);
  boxed = casedb_box_seal (pub, (const guint8 *) msg, strlen (msg), (const guint8 *) "ad", 2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (boxed), ==, strlen (msg) + CASEDB_BOX_OVERHEAD);

  opened = casedb_box_open (sec, g_bytes_get_data (boxed, NULL), g_bytes_get_size (boxed),
                            (const guint8 *) "ad", 2, &n, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (opened, n, msg, strlen (msg));
  casedb_secure_free (opened);

  /* Another recipient's secret, other associated data, a flipped byte: all refused. */
  g_assert_null (casedb_box_open (sec2, g_bytes_get_data (boxed, NULL), g_bytes_get_size (boxed),
                                  (const guint8 *) "ad", 2, NULL, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED);
  g_clear_error (&error);
  g_assert_null (casedb_box_open (sec, g_bytes_get_data (boxed, NULL), g_bytes_get_size (boxed),
                                  (const guint8 *) "AD", 2, NULL, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED);
  g_clear_error (&error);
  copy = g_memdup2 (g_bytes_get_data (boxed, NULL), g_bytes_get_size (boxed));
  copy[3] ^= 1;   /* in the ephemeral public key */
  g_assert_null (casedb_box_open (sec, copy, g_bytes_get_size (boxed), (const guint8 *) "ad", 2, NULL, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_free (copy);
}

/* RFC 4231 test case 2. */
static void
test_hmac (void)
{
  guint8 out[32];
  const char *data = "what do ya want for nothing?";

  casedb_hmac_sha256 ((const guint8 *) "Jefe", 4, (const guint8 *) data, strlen (data), out);
  assert_hex (out, 32, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

static void
test_secure_memory (void)
{
  char *s = casedb_secure_strdup ("secret");

  g_assert_true (casedb_secure_is_secure (s));
  g_assert_cmpstr (s, ==, "secret");
  casedb_secure_free (s);
  g_assert_null (casedb_secure_strdup (NULL));
}

static void
test_uuid (void)
{
  g_autofree char *a = casedb_random_uuid ();
  g_autofree char *b = casedb_random_uuid ();

  g_assert_true (g_uuid_string_is_valid (a));
  g_assert_cmpstr (a, !=, b);
}

int
main (int argc, char *argv[])
{
  casedb_test_init (&argc, &argv);

  g_test_add_func ("/crypto/argon2id/rfc9106", test_argon2id_rfc9106);
  g_test_add_func ("/crypto/argon2id/inputs", test_argon2id_password_matters);
  g_test_add_func ("/crypto/aes-wrap/rfc3394", test_aes_wrap_rfc3394);
  g_test_add_func ("/crypto/gcm/seal-open-tamper", test_gcm_seal_open);
  g_test_add_func ("/crypto/gcm/sealer", test_sealer);
  g_test_add_func ("/crypto/x25519/rfc7748", test_x25519_rfc7748);
  g_test_add_func ("/crypto/box", test_box);
  g_test_add_func ("/crypto/hmac/rfc4231", test_hmac);
  g_test_add_func ("/crypto/secure-memory", test_secure_memory);
  g_test_add_func ("/crypto/uuid", test_uuid);

  return g_test_run ();
}
