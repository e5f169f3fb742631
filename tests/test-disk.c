/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-test-disk"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "casedb-test-util.h"

/* Unusual strings that cannot appear in a file by chance. */
static const char * const markers[] = {
  "Zzmarker Qqvictim",
  "Zzmarker Qqguardian",
  "Zzmarker Qqcontact",
  "Zzmarker Qqnarrative",
  "Zzmarker Qqlocation",
  "Zzmarker Qqfollowup",
  "Zzmarker Qqwithhold",
  "Zzmarker Qqperpetrator",
  "Qqvictim",
  "Qqnarrative",
};

typedef struct {
  char        *dir;
  char        *path;
  CasedbStore *store;
  gint64       case_id;
} Fixture;

static CasedbCase *
marker_case (CasedbStore *store, guint i)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *ref = g_strdup_printf ("DISK-%u", i);
  CasedbCase *c = casedb_test_make_case (ref, "2024-04-04", CASEDB_VIOLATION_ABDUCTION);
  CasedbViolation *vio = g_ptr_array_index (c->violations, 0);
  CasedbVictim *v = casedb_case_add_victim (c);

  v->name = casedb_secure_strdup ("Zzmarker Qqvictim");
  v->guardian = casedb_secure_strdup ("Zzmarker Qqguardian");
  v->contact = casedb_secure_strdup ("Zzmarker Qqcontact");
  c->narrative = casedb_secure_strdup ("Zzmarker Qqnarrative and a longer account of the events");
  c->location_detail = casedb_secure_strdup ("Zzmarker Qqlocation");
  c->followup_notes = casedb_secure_strdup ("Zzmarker Qqfollowup");
  c->consent.withhold_from = casedb_secure_strdup ("Zzmarker Qqwithhold");
  vio->perpetrator_code = casedb_store_code_for_name (store, 'P', "Zzmarker Qqperpetrator", &error);
  g_assert_no_error (error);
  return c;
}

/* SQLCipher's page: a flip anywhere in one fails its HMAC. */
#define PAGE CASEDB_CIPHER_PAGE_SIZE

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->dir = casedb_test_mkdtemp ();
  f->path = g_build_filename (f->dir, "disk.db", NULL);
  f->store = casedb_test_create_store (f->path, "admin", "admin-pw");

  /* Enough cases for a database of many pages. */
  for (guint i = 0; i < 60; i++)
    {
      g_autoptr(CasedbCase) c = marker_case (f->store, i);

      g_assert_true (casedb_store_save_case (f->store, c, &error));
      g_assert_no_error (error);
      if (i == 0)
        f->case_id = c->id;
    }
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->store);
  casedb_test_rmtree (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static void
assert_no_marker (const char *dir)
{
  for (guint i = 0; i < G_N_ELEMENTS (markers); i++)
    {
      g_autofree char *found = casedb_test_dir_find (dir, markers[i]);

      if (found != NULL)
        g_error ("“%s” is in the clear in %s", markers[i], found);
    }
}

static guint
count_files (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (g_dir_read_name (d) != NULL)
    n++;
  return n;
}

static void
test_disk_no_plaintext (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  /* The test itself must be able to fail: a marker read back through the API. */
  {
    g_autoptr(CasedbCase) c = casedb_store_load_case (f->store, f->case_id, TRUE, &error);
    g_autofree char *probe = g_build_filename (f->dir, "probe", NULL);
    g_autofree char *found = NULL;

    g_assert_no_error (error);
    g_assert_cmpstr (((CasedbVictim *) g_ptr_array_index (c->victims, 0))->name, ==, markers[0]);
    g_assert_true (g_file_set_contents (probe, markers[0], -1, NULL));
    found = casedb_test_dir_find (f->dir, markers[0]);
    g_assert_cmpstr (found, ==, "probe");
    g_unlink (probe);
  }

  /* Delete and edit too, so freed pages and journals have been through use. */
  g_assert_true (casedb_store_delete_case (f->store, f->case_id, &error));
  g_assert_no_error (error);

  /* While a write transaction is open the journal exists: it is encrypted too. */
  {
    sqlite3 *db = casedb_store_get_db_handle (f->store);

    g_assert_cmpint (sqlite3_exec (db, "BEGIN IMMEDIATE; UPDATE victims SET age = 5;"
                                       " UPDATE cases SET summary = 'x';", NULL, NULL, NULL), ==, SQLITE_OK);
    g_assert_cmpuint (count_files (f->dir), ==, 3);   /* DB, DB.keys, DB-journal */
    {
      g_autofree char *journal = g_strconcat (f->path, "-journal", NULL);
      GStatBuf st;

      g_assert_cmpint (g_stat (journal, &st), ==, 0);
      g_assert_cmpint (st.st_mode & 0777, ==, 0600);
    }
    assert_no_marker (f->dir);
    g_assert_cmpint (sqlite3_exec (db, "ROLLBACK;", NULL, NULL, NULL), ==, SQLITE_OK);
  }

  casedb_store_close (f->store);
  g_clear_object (&f->store);
  assert_no_marker (f->dir);
  g_assert_cmpuint (count_files (f->dir), ==, 2);
}

static void
test_disk_truncated (Fixture *f, gconstpointer data)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;

  g_clear_object (&f->store);
  g_assert_true (g_file_get_contents (f->path, &contents, &len, NULL));
  g_assert_cmpuint (len, >=, 8 * PAGE);
  g_assert_true (g_file_set_contents (f->path, contents, len / 2, NULL));

  g_assert_null (casedb_store_open (f->path, "admin", "admin-pw", &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED);
  g_assert_nonnull (strstr (error->message, "disk.db"));
  g_clear_error (&error);

  /* Truncated to a size that is not a page multiple, and to nothing. */
  g_assert_true (g_file_set_contents (f->path, contents, PAGE + 100, NULL));
  g_assert_null (casedb_store_open (f->path, "admin", "admin-pw", &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED);
  g_clear_error (&error);
  g_assert_true (g_file_set_contents (f->path, "", 0, NULL));
  g_assert_null (casedb_store_open (f->path, "admin", "admin-pw", &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED);
}

static void
flip_and_expect_damaged (const char *path, const char *orig, gsize len, gsize offset)
{
  g_autofree char *copy = g_memdup2 (orig, len);
  g_autoptr(GError) error = NULL;

  copy[offset] ^= 0x10;
  g_assert_true (g_file_set_contents (path, copy, len, NULL));
  g_assert_null (casedb_store_open (path, "admin", "admin-pw", &error));
  if (!g_error_matches (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED))
    g_error ("flip at %" G_GSIZE_FORMAT ": %s", offset, error ? error->message : "opened");
}

static void
test_disk_bit_flip (Fixture *f, gconstpointer data)
{
  g_autofree char *contents = NULL;
  gsize len;

  g_clear_object (&f->store);
  g_assert_true (g_file_get_contents (f->path, &contents, &len, NULL));
  g_assert_cmpuint (len, >=, 4 * PAGE);

  /* The middle of page 3, as asked; then page 1, the last page, and the
   * IV and HMAC of page 3.  (The last 12 bytes of each page are SQLCipher 3
   * block padding after IV and HMAC: they carry nothing.) */
  flip_and_expect_damaged (f->path, contents, len, 2 * PAGE + PAGE / 2);
  flip_and_expect_damaged (f->path, contents, len, 100);
  flip_and_expect_damaged (f->path, contents, len, len - 2048);
  flip_and_expect_damaged (f->path, contents, len, 3 * PAGE - 48 + 4);
  flip_and_expect_damaged (f->path, contents, len, 3 * PAGE - 48 + 16 + 4);

  /* The unchanged file still opens. */
  g_assert_true (g_file_set_contents (f->path, contents, len, NULL));
  {
    g_autoptr(GError) error = NULL;
    CasedbStore *store = casedb_store_open (f->path, "admin", "admin-pw", &error);

    g_assert_no_error (error);
    g_object_unref (store);
  }
}

static void
test_disk_every_page (Fixture *f, gconstpointer data)
{
  g_autofree char *contents = NULL;
  gsize len;

  if (!g_test_slow ())
    {
      g_test_skip ("slow: a flip in every page");
      return;
    }

  g_clear_object (&f->store);
  g_assert_true (g_file_get_contents (f->path, &contents, &len, NULL));
  for (gsize page = 0; page < len / PAGE; page++)
    flip_and_expect_damaged (f->path, contents, len, page * PAGE + 1234);
}

static void
test_disk_keys_damaged (Fixture *f, gconstpointer data)
{
  g_autofree char *keys = casedb_store_keyslots_path (f->path);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;

  g_clear_object (&f->store);
  g_assert_true (g_file_get_contents (keys, &contents, &len, NULL));
  g_assert_true (g_file_set_contents (keys, contents, len / 2, NULL));
  g_assert_null (casedb_store_open (f->path, "admin", "admin-pw", &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED);
}

int
main (int argc, char *argv[])
{
  casedb_test_init (&argc, &argv);

#define ADD(path, fn) g_test_add ("/disk/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("no-plaintext", test_disk_no_plaintext);
  ADD ("truncated", test_disk_truncated);
  ADD ("bit-flip", test_disk_bit_flip);
  ADD ("every-page", test_disk_every_page);
  ADD ("keys-damaged", test_disk_keys_damaged);
#undef ADD

  return g_test_run ();
}
