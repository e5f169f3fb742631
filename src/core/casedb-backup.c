/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-backup"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <unistd.h>

#include "casedb-backup.h"
#include "casedb-error.h"
#include "casedb-export.h"
#include "casedb-json-writer.h"
#include "casedb-keyslots.h"
#include "casedb-secure.h"

#define BACKUP_FORMAT         "casedb-backup"
#define BACKUP_FORMAT_VERSION 1
#define MANIFEST_ENTRY        "manifest.json"
#define DATABASE_ENTRY        "database"
#define KEYS_ENTRY            "database.keys"
#define SHA256_HEX_LEN        64

void
casedb_backup_info_free (CasedbBackupInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->database_id);
  g_free (info->created);
  g_free (info->casedb_version);
  g_free (info);
}

static void
sha256_hex (const guint8 *data, gsize len, char out[SHA256_HEX_LEN + 1])
{
  guint8 digest[32];

  casedb_sha256 (data, len, digest);
  casedb_hex_encode (digest, sizeof digest, out);
}

/* ---- creating ---- */

typedef struct {
  CasedbPackageWriter *writer;
  guint                n_cases;
  int                  schema_version;
  guint64              sizes[2];
  char                 sha[2][SHA256_HEX_LEN + 1];
} CopyContext;

static gboolean
add_file_entry (CasedbPackageWriter *writer, const char *entry, const char *path,
                guint64 *size, char sha[SHA256_HEX_LEN + 1], GError **error)
{
  g_autoptr(GMappedFile) map = NULL;
  g_autoptr(GError) local_error = NULL;
  const guint8 *data;
  gsize len;

  map = g_mapped_file_new (path, FALSE, &local_error);
  if (map == NULL)
    {
      g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_IO, _("Could not read “%s”: %s"),
                   path, local_error->message);
      return FALSE;
    }
  data = (const guint8 *) g_mapped_file_get_contents (map);
  len = g_mapped_file_get_length (map);
  if (data == NULL || len == 0)
    {
      g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED, _("“%s” is empty"), path);
      return FALSE;
    }

  *size = len;
  sha256_hex (data, len, sha);
  return casedb_package_writer_add (writer, entry, data, len, error);
}

static gboolean
copy_files_cb (CasedbStore  *store,
               const char   *db_path,
               const char   *keys_path,
               guint         n_cases,
               gpointer      user_data,
               GError      **error)
{
  CopyContext *ctx = user_data;

  ctx->n_cases = n_cases;
  ctx->schema_version = casedb_store_get_schema_version (store);
  return add_file_entry (ctx->writer, DATABASE_ENTRY, db_path, &ctx->sizes[0], ctx->sha[0], error) &&
         add_file_entry (ctx->writer, KEYS_ENTRY, keys_path, &ctx->sizes[1], ctx->sha[1], error);
}

static void
write_file_info (CasedbJsonWriter *w, const char *entry, guint64 size, const char *sha)
{
  casedb_json_writer_member (w, entry);
  casedb_json_writer_begin_object (w);
  casedb_json_writer_member_int (w, "size", (gint64) size);
  casedb_json_writer_member_string (w, "sha256", sha);
  casedb_json_writer_end_object (w);
}

gboolean
casedb_backup_create (CasedbStore            *store,
                      const char             *dest,
                      const char             *passphrase,
                      const CasedbKdfParams  *params,
                      CasedbBackupInfo      **info,
                      GError                **error)
{
  g_autoptr(CasedbPackageWriter) writer = NULL;
  g_autoptr(CasedbJsonWriter) manifest = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *created = g_date_time_format_iso8601 (now);
  g_autofree char *base = NULL;
  g_autofree char *detail = NULL;
  CopyContext ctx = { NULL, };
  const guint8 *data;
  gsize len;

  g_return_val_if_fail (CASEDB_IS_STORE (store), FALSE);
  g_return_val_if_fail (dest != NULL, FALSE);
  g_return_val_if_fail (passphrase != NULL, FALSE);

  if (!casedb_store_require (store, CASEDB_PERM_BACKUP, error) ||
      !casedb_export_check_passphrase (passphrase, error))
    return FALSE;

  /* The key derivation (half a second) happens before the lock is taken. */
  writer = casedb_package_writer_new (dest, CASEDB_PACKAGE_BACKUP, passphrase, params, error);
  if (writer == NULL)
    return FALSE;

  ctx.writer = writer;
  if (!casedb_store_copy_files (store, copy_files_cb, &ctx, error))
    return FALSE;

  manifest = casedb_json_writer_new ();
  casedb_json_writer_begin_object (manifest);
  casedb_json_writer_member_string (manifest, "format", BACKUP_FORMAT);
  casedb_json_writer_member_int (manifest, "version", BACKUP_FORMAT_VERSION);
  casedb_json_writer_member_string (manifest, "casedb_version", PACKAGE_VERSION);
  casedb_json_writer_member_string (manifest, "database_id", casedb_store_get_database_id (store));
  casedb_json_writer_member_string (manifest, "created", created);
  casedb_json_writer_member_int (manifest, "schema_version", ctx.schema_version);
  casedb_json_writer_member_int (manifest, "cases", ctx.n_cases);
  casedb_json_writer_member (manifest, "files");
  casedb_json_writer_begin_object (manifest);
  write_file_info (manifest, DATABASE_ENTRY, ctx.sizes[0], ctx.sha[0]);
  write_file_info (manifest, KEYS_ENTRY, ctx.sizes[1], ctx.sha[1]);
  casedb_json_writer_end_object (manifest);
  casedb_json_writer_end_object (manifest);
  data = casedb_json_writer_get_data (manifest, &len);

  if (!casedb_package_writer_add (writer, MANIFEST_ENTRY, data, len, error) ||
      !casedb_package_writer_finish (writer, error))
    return FALSE;

  base = g_path_get_basename (dest);
  detail = g_strdup_printf ("%u cases to %s", ctx.n_cases, base);
  if (!casedb_store_note_backup (store, detail, error))
    {
      g_unlink (dest);
      return FALSE;
    }

  if (info != NULL)
    {
      *info = g_new0 (CasedbBackupInfo, 1);
      (*info)->database_id = g_strdup (casedb_store_get_database_id (store));
      (*info)->created = g_steal_pointer (&created);
      (*info)->casedb_version = g_strdup (PACKAGE_VERSION);
      (*info)->schema_version = ctx.schema_version;
      (*info)->n_cases = ctx.n_cases;
      (*info)->database_size = ctx.sizes[0];
      (*info)->keys_size = ctx.sizes[1];
    }
  return TRUE;
}

/* ---- checking ---- */

G_GNUC_PRINTF (2, 3)
static void
set_damaged (GError **error, const char *format, ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED, _("The backup is damaged: %s"), what);
}

static const char *
get_string (JsonObject *o, const char *name)
{
  JsonNode *n = json_object_get_member (o, name);

  if (n == NULL || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (n);
}

static gboolean
get_int (JsonObject *o, const char *name, gint64 *out)
{
  JsonNode *n = json_object_get_member (o, name);

  if (n == NULL || json_node_get_value_type (n) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (n);
  return *out >= 0;
}

static gboolean
check_file (JsonObject *files, const CasedbPackageEntry *entry, guint64 *size, GError **error)
{
  JsonNode *node = files != NULL ? json_object_get_member (files, entry->name) : NULL;
  char sha[SHA256_HEX_LEN + 1];
  JsonObject *o;
  const char *want;
  gint64 want_size;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      set_damaged (error, _("the manifest does not describe “%s”"), entry->name);
      return FALSE;
    }
  o = json_node_get_object (node);
  want = get_string (o, "sha256");
  if (!get_int (o, "size", &want_size) || want == NULL)
    {
      set_damaged (error, _("the manifest does not describe “%s”"), entry->name);
      return FALSE;
    }
  sha256_hex (entry->data, entry->len, sha);
  if ((guint64) want_size != entry->len || g_ascii_strcasecmp (want, sha) != 0)
    {
      set_damaged (error, _("“%s” does not match the manifest"), entry->name);
      return FALSE;
    }
  *size = entry->len;
  return TRUE;
}

/* Reads and checks everything; returns the entries. */
static GPtrArray *
open_backup (const char *path, const char *passphrase, CasedbBackupInfo **info_out,
             GError **error)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(CasedbBackupInfo) info = g_new0 (CasedbBackupInfo, 1);
  g_autoptr(CasedbKeyslots) keyslots = NULL;
  g_autoptr(GError) local_error = NULL;
  const CasedbPackageEntry *manifest, *db, *keys;
  JsonNode *root;
  JsonObject *o, *files = NULL;
  gint64 n;
  JsonObject *cipher;
  gint64 page_size = 4096;

  entries = casedb_package_read (path, CASEDB_PACKAGE_BACKUP, passphrase, error);
  if (entries == NULL)
    return NULL;

  manifest = casedb_package_find (entries, MANIFEST_ENTRY);
  db = casedb_package_find (entries, DATABASE_ENTRY);
  keys = casedb_package_find (entries, KEYS_ENTRY);
  if (manifest == NULL || db == NULL || keys == NULL)
    {
      set_damaged (error, _("a part of it is missing"));
      return NULL;
    }

  if (!json_parser_load_from_data (parser, (const char *) manifest->data, manifest->len, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      set_damaged (error, _("its manifest cannot be read"));
      return NULL;
    }
  o = json_node_get_object (root);
  if (g_strcmp0 (get_string (o, "format"), BACKUP_FORMAT) != 0)
    {
      set_damaged (error, _("its manifest cannot be read"));
      return NULL;
    }
  if (!get_int (o, "version", &n) || n != BACKUP_FORMAT_VERSION)
    {
      g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT,
                           _("This backup was written by another version of CaseDB"));
      return NULL;
    }
  info->database_id = g_strdup (get_string (o, "database_id"));
  info->created = g_strdup (get_string (o, "created"));
  info->casedb_version = g_strdup (get_string (o, "casedb_version"));
  if (info->database_id == NULL || info->created == NULL || !get_int (o, "cases", &n))
    {
      set_damaged (error, _("its manifest cannot be read"));
      return NULL;
    }
  info->n_cases = (guint) MIN (n, G_MAXUINT);
  info->schema_version = get_int (o, "schema_version", &n) ? (int) MIN (n, G_MAXINT) : 0;
  if (json_object_has_member (o, "files") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (o, "files")))
    files = json_object_get_object_member (o, "files");

  if (!check_file (files, db, &info->database_size, error) ||
      !check_file (files, keys, &info->keys_size, error))
    return NULL;

  keyslots = casedb_keyslots_load_from_data ((const char *) keys->data, keys->len, KEYS_ENTRY,
                                             &local_error);
  if (keyslots == NULL)
    {
      set_damaged (error, "%s", local_error->message);
      return NULL;
    }
  if (g_strcmp0 (casedb_keyslots_get_database_id (keyslots), info->database_id) != 0)
    {
      set_damaged (error, _("the key-slot file belongs to another database"));
      return NULL;
    }
  /* SQLCipher writes whole pages. */
  cipher = casedb_keyslots_get_cipher (keyslots);
  if (cipher != NULL && json_object_has_member (cipher, "page_size"))
    page_size = json_object_get_int_member (cipher, "page_size");
  if (page_size <= 0 || db->len % (gsize) page_size != 0)
    {
      set_damaged (error, _("the database is cut short"));
      return NULL;
    }

  *info_out = g_steal_pointer (&info);
  return g_steal_pointer (&entries);
}

CasedbBackupInfo *
casedb_backup_verify (const char  *path,
                      const char  *passphrase,
                      GError     **error)
{
  g_autoptr(GPtrArray) entries = NULL;
  CasedbBackupInfo *info = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (passphrase != NULL, NULL);

  entries = open_backup (path, passphrase, &info, error);
  if (entries == NULL)
    return NULL;
  return info;
}

/* ---- restoring ---- */

static void
sync_dir_of (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int fd = g_open (dir, O_RDONLY | O_CLOEXEC, 0);

  if (fd >= 0)
    {
      fsync (fd);
      close (fd);
    }
}

/* Writes @path whole, 0600, never over an existing file: a partial file is
 * linked into place only once it is complete and synced. */
static gboolean
write_new_file (const char *path, const guint8 *data, gsize len, GError **error)
{
  g_autofree char *partial = g_strconcat (path, ".partial", NULL);
  int fd;
  int saved;

  fd = g_open (partial, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      saved = errno;
      g_set_error (error, CASEDB_ERROR, saved == EEXIST ? CASEDB_ERROR_EXISTS : CASEDB_ERROR_IO,
                   _("Could not create “%s”: %s"), partial, g_strerror (saved));
      return FALSE;
    }
  while (len > 0)
    {
      ssize_t n = write (fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        goto fail;
      data += n;
      len -= n;
    }
  if (fsync (fd) != 0)
    goto fail;
  if (close (fd) != 0)
    {
      fd = -1;
      goto fail;
    }
  fd = -1;
  if (link (partial, path) != 0)
    goto fail;
  g_unlink (partial);
  sync_dir_of (path);
  return TRUE;

fail:
  saved = errno;
  if (fd >= 0)
    close (fd);
  g_unlink (partial);
  g_set_error (error, CASEDB_ERROR, saved == EEXIST ? CASEDB_ERROR_EXISTS : CASEDB_ERROR_IO,
               _("Could not write “%s”: %s"), path, g_strerror (saved));
  return FALSE;
}

CasedbBackupInfo *
casedb_backup_restore (const char  *path,
                       const char  *passphrase,
                       const char  *dest_db,
                       GError     **error)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(CasedbBackupInfo) info = NULL;
  g_autofree char *keys_path = NULL;
  g_autofree char *journal = NULL;
  const char *existing = NULL;
  const CasedbPackageEntry *db, *keys;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (passphrase != NULL, NULL);
  g_return_val_if_fail (dest_db != NULL, NULL);

  keys_path = casedb_store_keyslots_path (dest_db);
  journal = g_strconcat (dest_db, "-journal", NULL);
  /* A stale journal would be rolled into the restored database. */
  if (g_file_test (dest_db, G_FILE_TEST_EXISTS))
    existing = dest_db;
  else if (g_file_test (keys_path, G_FILE_TEST_EXISTS))
    existing = keys_path;
  else if (g_file_test (journal, G_FILE_TEST_EXISTS))
    existing = journal;
  if (existing != NULL)
    {
      g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_EXISTS,
                   _("“%s” already exists; restore to another name"), existing);
      return NULL;
    }

  entries = open_backup (path, passphrase, &info, error);
  if (entries == NULL)
    return NULL;
  db = casedb_package_find (entries, DATABASE_ENTRY);
  keys = casedb_package_find (entries, KEYS_ENTRY);

  if (!write_new_file (dest_db, db->data, db->len, error))
    return NULL;
  if (!write_new_file (keys_path, keys->data, keys->len, error))
    {
      g_unlink (dest_db);
      return NULL;
    }

  return g_steal_pointer (&info);
}
