/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-package"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <errno.h>
#include <fcntl.h>
#include <gcrypt.h>
#include <string.h>
#include <unistd.h>

#include "casedb-error.h"
#include "casedb-package.h"
#include "casedb-secure.h"

#define MAGIC            "CASEDBPK"
#define FORMAT_VERSION   1
#define HEADER_LEN       64
#define SALT_LEN         16
#define PREFIX_LEN       8
#define CHUNK_LEN        (64 * 1024)
#define TAG_LEN          16
/* Well below libgcrypt's pool growth step (SECMEM_POOL_SIZE, casedb-secure.c):
 * a secure allocation larger than the step fails outright, and a database
 * file in a backup should not crowd keys out of the locked pool. */
#define SECURE_ENTRY_MAX (128 * 1024)
#define MAX_NAME_LEN     1024
#define CHECK_OFFSET     48
#define CHECK_LEN        8

struct _CasedbPackageWriter
{
  int      fd;
  char    *path;
  char    *partial_path;
  guint8   header[HEADER_LEN];
  guint8  *key;      /* secure */
  guint8  *buf;      /* secure, CHUNK_LEN */
  gsize    buf_len;
  guint32  chunk;
  gboolean finished;
};

const char *
casedb_package_kind_get_label (CasedbPackageKind kind)
{
  switch (kind)
    {
    case CASEDB_PACKAGE_UN_EXPORT:
      return _("UN focal point package");
    case CASEDB_PACKAGE_BACKUP:
      return _("backup");
    case CASEDB_PACKAGE_TRANSFER:
      return _("office transfer bundle");
    default:
      return _("unknown package");
    }
}

static void
put_be32 (guint8 *p, guint32 v)
{
  p[0] = v >> 24;
  p[1] = v >> 16;
  p[2] = v >> 8;
  p[3] = v;
}

static guint32
get_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

/* Tells a wrong passphrase from damage.  It reveals nothing an attacker
 * could not learn by trying to open the first chunk. */
static void
key_check (const guint8 *key, guint8 out[CHECK_LEN])
{
  guint8 mac[32];

  casedb_hmac_sha256 (key, CASEDB_KEY_LEN, (const guint8 *) "casedb-package-check", 20, mac);
  memcpy (out, mac, CHECK_LEN);
}

static gboolean
derive_key (const guint8 header[HEADER_LEN], const char *passphrase, guint8 *key, GError **error)
{
  CasedbKdfParams params;

  params.iterations = get_be32 (header + 12);
  params.memory_kib = get_be32 (header + 16);
  params.parallelism = get_be32 (header + 20);
  return casedb_argon2id (passphrase, strlen (passphrase), header + 24, SALT_LEN, &params,
                          key, CASEDB_KEY_LEN, error);
}

/* Encrypts or decrypts one chunk in place; on decryption checks the tag. */
static gcry_error_t
crypt_chunk (const guint8 *key, const guint8 header[HEADER_LEN], guint32 index,
             gboolean final, gboolean encrypt, guint8 *data, gsize len, guint8 tag[TAG_LEN])
{
  gcry_cipher_hd_t hd = NULL;
  guint8 nonce[CASEDB_GCM_NONCE_LEN];
  guint8 aad[HEADER_LEN + 5];
  gcry_error_t err;

  memcpy (nonce, header + 40, PREFIX_LEN);
  put_be32 (nonce + PREFIX_LEN, index);
  memcpy (aad, header, HEADER_LEN);
  put_be32 (aad + HEADER_LEN, index);
  aad[HEADER_LEN + 4] = final ? 1 : 0;

  err = gcry_cipher_open (&hd, GCRY_CIPHER_AES256, GCRY_CIPHER_MODE_GCM, GCRY_CIPHER_SECURE);
  if (err == 0)
    err = gcry_cipher_setkey (hd, key, CASEDB_KEY_LEN);
  if (err == 0)
    err = gcry_cipher_setiv (hd, nonce, sizeof nonce);
  if (err == 0)
    err = gcry_cipher_authenticate (hd, aad, sizeof aad);
  if (err == 0)
    err = encrypt ? gcry_cipher_encrypt (hd, data, len, NULL, 0)
                  : gcry_cipher_decrypt (hd, data, len, NULL, 0);
  if (err == 0)
    err = encrypt ? gcry_cipher_gettag (hd, tag, TAG_LEN)
                  : gcry_cipher_checktag (hd, tag, TAG_LEN);
  gcry_cipher_close (hd);
  return err;
}

static gboolean
write_all (CasedbPackageWriter *w, const guint8 *data, gsize len, GError **error)
{
  while (len > 0)
    {
      ssize_t n = write (w->fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved = errno;

          g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_IO, _("Could not write “%s”: %s"),
                       w->path, g_strerror (saved));
          return FALSE;
        }
      data += n;
      len -= n;
    }
  return TRUE;
}

static gboolean
flush_chunk (CasedbPackageWriter *w, gboolean final, GError **error)
{
  guint8 len_be[4];
  guint8 tag[TAG_LEN];
  gcry_error_t err;
  gboolean ok;

  if (w->chunk == G_MAXUINT32)
    {
      g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_FAILED, _("The package is too large"));
      return FALSE;
    }
  err = crypt_chunk (w->key, w->header, w->chunk, final, TRUE, w->buf, w->buf_len, tag);
  if (err != 0)
    {
      g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_FAILED,
                   _("Cryptographic operation failed (%s): %s"), "package", gcry_strerror (err));
      return FALSE;
    }
  put_be32 (len_be, w->buf_len);
  ok = write_all (w, len_be, 4, error) &&
       write_all (w, w->buf, w->buf_len, error) &&
       write_all (w, tag, TAG_LEN, error);
  casedb_secure_wipe (w->buf, CHUNK_LEN);
  w->buf_len = 0;
  w->chunk++;
  return ok;
}

static gboolean
writer_push (CasedbPackageWriter *w, const guint8 *data, gsize len, GError **error)
{
  while (len > 0)
    {
      gsize n;

      /* A full chunk is written only once more data follows, so that the
       * last chunk, written by finish, is the one flagged final. */
      if (w->buf_len == CHUNK_LEN && !flush_chunk (w, FALSE, error))
        return FALSE;
      n = MIN (len, CHUNK_LEN - w->buf_len);
      memcpy (w->buf + w->buf_len, data, n);
      w->buf_len += n;
      data += n;
      len -= n;
    }
  return TRUE;
}

CasedbPackageWriter *
casedb_package_writer_new (const char *path, CasedbPackageKind kind, const char *passphrase,
                           const CasedbKdfParams *params, GError **error)
{
  g_autoptr(CasedbPackageWriter) w = NULL;
  CasedbKdfParams defaults;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (passphrase != NULL, NULL);

  if (*passphrase == '\0')
    {
      g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT,
                           _("The passphrase is empty"));
      return NULL;
    }
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_EXISTS,
                   _("“%s” already exists; choose another name"), path);
      return NULL;
    }
  if (params == NULL)
    {
      casedb_kdf_params_default (&defaults);
      params = &defaults;
    }

  w = g_new0 (CasedbPackageWriter, 1);
  w->fd = -1;
  w->path = g_strdup (path);
  w->partial_path = g_strconcat (path, ".partial", NULL);
  w->key = casedb_secure_alloc (CASEDB_KEY_LEN);
  w->buf = casedb_secure_alloc (CHUNK_LEN);

  memcpy (w->header, MAGIC, 8);
  w->header[8] = FORMAT_VERSION;
  w->header[9] = kind;
  put_be32 (w->header + 12, params->iterations);
  put_be32 (w->header + 16, params->memory_kib);
  put_be32 (w->header + 20, params->parallelism);
  casedb_random_nonce (w->header + 24, SALT_LEN);
  casedb_random_nonce (w->header + 40, PREFIX_LEN);

  if (!derive_key (w->header, passphrase, w->key, error))
    return NULL;
  key_check (w->key, w->header + CHECK_OFFSET);

  w->fd = g_open (w->partial_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (w->fd < 0)
    {
      int saved = errno;

      g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_IO, _("Could not create “%s”: %s"),
                   w->partial_path, g_strerror (saved));
      return NULL;
    }
  if (!write_all (w, w->header, HEADER_LEN, error))
    return NULL;

  return g_steal_pointer (&w);
}

gboolean
casedb_package_writer_add (CasedbPackageWriter *w, const char *name,
                           const guint8 *data, gsize len, GError **error)
{
  guint8 head[2 + MAX_NAME_LEN + 8];
  gsize name_len;

  g_return_val_if_fail (w != NULL && !w->finished, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  name_len = strlen (name);
  g_return_val_if_fail (name_len > 0 && name_len <= MAX_NAME_LEN, FALSE);

  head[0] = name_len >> 8;
  head[1] = name_len & 0xff;
  memcpy (head + 2, name, name_len);
  for (int i = 0; i < 8; i++)
    head[2 + name_len + i] = (guint64) len >> (56 - 8 * i);
  return writer_push (w, head, 2 + name_len + 8, error) &&
         writer_push (w, data, len, error);
}

gboolean
casedb_package_writer_add_file (CasedbPackageWriter *w, const char *name,
                                const char *path, GError **error)
{
  g_autoptr(GMappedFile) map = NULL;
  g_autoptr(GError) local_error = NULL;

  map = g_mapped_file_new (path, FALSE, &local_error);
  if (map == NULL)
    {
      g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_IO, _("Could not read “%s”: %s"),
                   path, local_error->message);
      return FALSE;
    }
  return casedb_package_writer_add (w, name, (const guint8 *) g_mapped_file_get_contents (map),
                                    g_mapped_file_get_length (map), error);
}

gboolean
casedb_package_writer_finish (CasedbPackageWriter *w, GError **error)
{
  g_return_val_if_fail (w != NULL && !w->finished, FALSE);

  if (!flush_chunk (w, TRUE, error))
    return FALSE;
  if (fsync (w->fd) != 0 || close (w->fd) != 0)
    {
      int saved = errno;

      w->fd = -1;
      g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_IO, _("Could not write “%s”: %s"),
                   w->path, g_strerror (saved));
      return FALSE;
    }
  w->fd = -1;
  /* link() refuses to replace an existing file, unlike rename(). */
  if (link (w->partial_path, w->path) != 0)
    {
      int saved = errno;

      g_set_error (error, CASEDB_ERROR, saved == EEXIST ? CASEDB_ERROR_EXISTS : CASEDB_ERROR_IO,
                   _("Could not write “%s”: %s"), w->path, g_strerror (saved));
      return FALSE;
    }
  g_unlink (w->partial_path);
  w->finished = TRUE;
  return TRUE;
}

void
casedb_package_writer_free (CasedbPackageWriter *w)
{
  if (w == NULL)
    return;
  if (w->fd >= 0)
    close (w->fd);
  if (!w->finished && w->partial_path != NULL)
    g_unlink (w->partial_path);
  casedb_secure_free (w->key);
  casedb_secure_free (w->buf);
  g_free (w->path);
  g_free (w->partial_path);
  g_free (w);
}

void
casedb_package_entry_free (CasedbPackageEntry *entry)
{
  if (entry == NULL)
    return;
  if (casedb_secure_is_secure (entry->data))
    casedb_secure_free (entry->data);
  else
    {
      casedb_secure_wipe (entry->data, entry->len);
      g_free (entry->data);
    }
  g_free (entry->name);
  g_free (entry);
}

const CasedbPackageEntry *
casedb_package_find (GPtrArray *entries, const char *name)
{
  g_return_val_if_fail (entries != NULL, NULL);

  for (guint i = 0; i < entries->len; i++)
    {
      CasedbPackageEntry *e = g_ptr_array_index (entries, i);

      if (g_strcmp0 (e->name, name) == 0)
        return e;
    }
  return NULL;
}

static GPtrArray *
parse_entries (const guint8 *p, gsize len, GError **error)
{
  g_autoptr(GPtrArray) entries =
    g_ptr_array_new_with_free_func ((GDestroyNotify) casedb_package_entry_free);

  while (len > 0)
    {
      CasedbPackageEntry *e;
      gsize name_len;
      guint64 data_len = 0;

      if (len < 2 || (name_len = ((gsize) p[0] << 8) | p[1]) == 0 ||
          name_len > MAX_NAME_LEN || len < 2 + name_len + 8)
        goto bad;
      for (int i = 0; i < 8; i++)
        data_len = (data_len << 8) | p[2 + name_len + i];
      if (data_len > len - 2 - name_len - 8)
        goto bad;
      if (!g_utf8_validate ((const char *) p + 2, name_len, NULL))
        goto bad;

      e = g_new0 (CasedbPackageEntry, 1);
      e->name = g_strndup ((const char *) p + 2, name_len);
      e->len = data_len;
      e->data = data_len < SECURE_ENTRY_MAX ? casedb_secure_alloc (data_len + 1)
                                            : g_malloc (data_len + 1);
      memcpy (e->data, p + 2 + name_len + 8, data_len);
      e->data[data_len] = '\0';
      g_ptr_array_add (entries, e);
      p += 2 + name_len + 8 + data_len;
      len -= 2 + name_len + 8 + data_len;
    }
  return g_steal_pointer (&entries);

bad:
  g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED,
                       _("The package is damaged: its contents are malformed"));
  return NULL;
}

GPtrArray *
casedb_package_read_data (const guint8 *data, gsize len, CasedbPackageKind kind,
                          const char *passphrase, GError **error)
{
  guint8 *key = NULL;
  guint8 *plain = NULL;
  gsize plain_len = 0, pos;
  guint32 index = 0;
  gboolean final = FALSE;
  GPtrArray *entries = NULL;
  CasedbKdfParams params;

  g_return_val_if_fail (passphrase != NULL, NULL);

  if (len < HEADER_LEN || memcmp (data, MAGIC, 8) != 0)
    {
      g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT,
                           _("This is not a CaseDB package"));
      return NULL;
    }
  if (data[8] != FORMAT_VERSION)
    {
      g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT,
                           _("This package was written by another version of CaseDB"));
      return NULL;
    }
  if (data[9] != kind)
    {
      g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT,
                   _("This is a %s, not a %s"),
                   casedb_package_kind_get_label (data[9]), casedb_package_kind_get_label (kind));
      return NULL;
    }
  params.iterations = get_be32 (data + 12);
  params.memory_kib = get_be32 (data + 16);
  params.parallelism = get_be32 (data + 20);
  /* A forged header must not make us allocate terabytes or spin for hours. */
  if (params.iterations < 1 || params.iterations > CASEDB_KDF_MAX_ITERATIONS ||
      params.parallelism < 1 || params.parallelism > 64 ||
      params.memory_kib < 8 * params.parallelism || params.memory_kib > CASEDB_KDF_MAX_MEMORY_KIB)
    {
      g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED,
                           _("The package is damaged: its header is invalid"));
      return NULL;
    }

  key = casedb_secure_alloc (CASEDB_KEY_LEN);
  if (!derive_key (data, passphrase, key, error))
    goto out;
  {
    guint8 check[CHECK_LEN];

    key_check (key, check);
    if (!casedb_memeq (check, data + CHECK_OFFSET, CHECK_LEN))
      {
        g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_WRONG_PASSWORD,
                             _("Wrong passphrase"));
        goto out;
      }
  }

  plain = g_malloc (len);   /* the plaintext is never longer than the file */
  pos = HEADER_LEN;
  while (!final)
    {
      guint32 chunk_len;
      gcry_error_t err;

      if (len - pos < 4 || (chunk_len = get_be32 (data + pos)) > CHUNK_LEN ||
          len - pos - 4 < (gsize) chunk_len + TAG_LEN)
        {
          g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED,
                               _("The package is damaged or cut short"));
          goto out;
        }
      memcpy (plain + plain_len, data + pos + 4, chunk_len);
      final = pos + 4 + chunk_len + TAG_LEN == len;
      err = crypt_chunk (key, data, index, final, FALSE, plain + plain_len, chunk_len,
                         (guint8 *) data + pos + 4 + chunk_len);
      if (err != 0)
        {
          casedb_secure_wipe (plain + plain_len, chunk_len);
          g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED,
                                 _("The package is damaged: a part of it was altered or cut off"));
          goto out;
        }
      plain_len += chunk_len;
      pos += 4 + chunk_len + TAG_LEN;
      index++;
    }

  entries = parse_entries (plain, plain_len, error);

out:
  casedb_secure_free (key);
  if (plain != NULL)
    {
      casedb_secure_wipe (plain, len);
      g_free (plain);
    }
  return entries;
}

GPtrArray *
casedb_package_read (const char *path, CasedbPackageKind kind, const char *passphrase,
                     GError **error)
{
  g_autoptr(GMappedFile) map = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  map = g_mapped_file_new (path, FALSE, &local_error);
  if (map == NULL)
    {
      g_set_error (error, CASEDB_ERROR,
                   g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT)
                     ? CASEDB_ERROR_NOT_FOUND : CASEDB_ERROR_IO,
                   _("Could not read “%s”: %s"), path, local_error->message);
      return NULL;
    }
  return casedb_package_read_data ((const guint8 *) g_mapped_file_get_contents (map),
                                   g_mapped_file_get_length (map), kind, passphrase, error);
}
