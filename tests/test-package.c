/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-test"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "casedb-package.h"
#include "casedb-test-util.h"

typedef struct {
  char           *dir;
  char           *path;
  CasedbKdfParams params;
  guint8         *big;
  gsize           big_len;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->dir = casedb_test_mkdtemp ();
  f->path = g_build_filename (f->dir, "out.casedbpkg", NULL);
  casedb_kdf_params_testing (&f->params);
  /* Spans many 64 KiB chunks and passes the 1 MiB secure-memory limit. */
  f->big_len = 3 * 1024 * 1024 + 17;
  f->big = g_malloc (f->big_len);
  for (gsize i = 0; i < f->big_len; i++)
    f->big[i] = (i * 7919) >> 3;
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  casedb_test_rmtree (f->dir);
  g_free (f->dir);
  g_free (f->path);
  g_free (f->big);
}

static void
write_package (Fixture *f, const char *passphrase)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CasedbPackageWriter) w = NULL;

  w = casedb_package_writer_new (f->path, CASEDB_PACKAGE_UN_EXPORT, passphrase, &f->params, &error);
  g_assert_no_error (error);
  g_assert_true (casedb_package_writer_add (w, "manifest.json", (const guint8 *) "{\"cases\":2}", 11, &error));
  g_assert_true (casedb_package_writer_add (w, "empty", (const guint8 *) "", 0, &error));
  g_assert_true (casedb_package_writer_add (w, "big.bin", f->big, f->big_len, &error));
  g_assert_true (casedb_package_writer_finish (w, &error));
  g_assert_no_error (error);
}

static void
test_round_trip (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  const CasedbPackageEntry *e;
  g_autofree char *partial = g_strconcat (f->path, ".partial", NULL);
  GStatBuf st;

  write_package (f, "correct horse battery");
  g_assert_false (g_file_test (partial, G_FILE_TEST_EXISTS));
  g_assert_cmpint (g_stat (f->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_false (casedb_test_file_contains (f->path, "cases"));

  entries = casedb_package_read (f->path, CASEDB_PACKAGE_UN_EXPORT, "correct horse battery", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 3);
  e = casedb_package_find (entries, "manifest.json");
  g_assert_cmpstr ((char *) e->data, ==, "{\"cases\":2}");
  g_assert_true (casedb_secure_is_secure (e->data));
  e = casedb_package_find (entries, "empty");
  g_assert_cmpuint (e->len, ==, 0);
  e = casedb_package_find (entries, "big.bin");
  g_assert_cmpmem (e->data, e->len, f->big, f->big_len);
  g_assert_null (casedb_package_find (entries, "nope"));
}

static void
test_wrong_passphrase_and_kind (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  write_package (f, "correct horse battery");
  g_assert_null (casedb_package_read (f->path, CASEDB_PACKAGE_UN_EXPORT, "correct horse batterY", &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_WRONG_PASSWORD);
  g_clear_error (&error);
  g_assert_null (casedb_package_read (f->path, CASEDB_PACKAGE_BACKUP, "correct horse battery", &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT);
}

static void
test_tamper (Fixture *f, gconstpointer data)
{
  g_autofree guint8 *bytes = NULL;
  g_autofree guint8 *longer = NULL;
  gsize len;
  /* header fields, first chunk length, first chunk body, a middle chunk,
   * the last tag */
  gsize where[] = { 9, 13, 30, 45, 64, 70, 1000, 70000, 1500000, 0 };

  write_package (f, "pw");
  g_assert_true (g_file_get_contents (f->path, (char **) &bytes, &len, NULL));
  where[G_N_ELEMENTS (where) - 1] = len - 1;

  for (guint i = 0; i < G_N_ELEMENTS (where); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) entries = NULL;

      bytes[where[i]] ^= 0x01;
      entries = casedb_package_read_data (bytes, len, CASEDB_PACKAGE_UN_EXPORT, "pw", &error);
      g_assert_null (entries);
      g_assert_nonnull (error);
      g_assert_true (error->code == CASEDB_ERROR_DAMAGED ||
                     error->code == CASEDB_ERROR_WRONG_PASSWORD ||
                     error->code == CASEDB_ERROR_INVALID_INPUT);
      bytes[where[i]] ^= 0x01;
    }

  /* Cut at a chunk boundary (after the first chunk) and anywhere else. */
  for (gsize cut = 0; cut < len; cut += len / 7 + 1)
    {
      g_autoptr(GError) error = NULL;

      g_assert_null (casedb_package_read_data (bytes, cut, CASEDB_PACKAGE_UN_EXPORT, "pw", &error));
      g_assert_nonnull (error);
    }
  {
    g_autoptr(GError) error = NULL;
    gsize boundary = 64 + 4 + 64 * 1024 + 16;

    g_assert_null (casedb_package_read_data (bytes, boundary, CASEDB_PACKAGE_UN_EXPORT, "pw", &error));
    g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED);
  }

  /* Something appended. */
  {
    g_autoptr(GError) error = NULL;

    longer = g_malloc (len + 20);
    memcpy (longer, bytes, len);
    memset (longer + len, 0, 20);
    g_assert_null (casedb_package_read_data (longer, len + 20, CASEDB_PACKAGE_UN_EXPORT, "pw", &error));
    g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED);
  }

  /* Untouched, it still opens. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) entries = casedb_package_read_data (bytes, len, CASEDB_PACKAGE_UN_EXPORT, "pw", &error);

    g_assert_no_error (error);
    g_assert_cmpuint (entries->len, ==, 3);
  }
}

static void
test_no_overwrite_no_leftover (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *other = g_build_filename (f->dir, "other.pkg", NULL);
  CasedbPackageWriter *w;

  write_package (f, "pw");
  g_assert_null (casedb_package_writer_new (f->path, CASEDB_PACKAGE_UN_EXPORT, "pw", &f->params, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_EXISTS);
  g_clear_error (&error);

  /* Abandoned half way: nothing is left behind. */
  w = casedb_package_writer_new (other, CASEDB_PACKAGE_BACKUP, "pw", &f->params, &error);
  g_assert_no_error (error);
  g_assert_true (casedb_package_writer_add (w, "x", f->big, f->big_len, &error));
  casedb_package_writer_free (w);
  g_assert_false (g_file_test (other, G_FILE_TEST_EXISTS));
  {
    g_autofree char *partial = g_strconcat (other, ".partial", NULL);

    g_assert_false (g_file_test (partial, G_FILE_TEST_EXISTS));
  }

  g_assert_null (casedb_package_writer_new (other, CASEDB_PACKAGE_BACKUP, "", &f->params, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT);
}

static void
test_not_a_package (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (casedb_package_read_data ((const guint8 *) "hello", 5, CASEDB_PACKAGE_BACKUP, "pw", &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_null (casedb_package_read ("/nonexistent/x.pkg", CASEDB_PACKAGE_BACKUP, "pw", &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_FOUND);
}

int
main (int argc, char *argv[])
{
  casedb_test_init (&argc, &argv);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/package/round-trip", test_round_trip);
  ADD ("/package/wrong-passphrase-and-kind", test_wrong_passphrase_and_kind);
  ADD ("/package/tamper", test_tamper);
  ADD ("/package/no-overwrite-no-leftover", test_no_overwrite_no_leftover);
  ADD ("/package/not-a-package", test_not_a_package);
#undef ADD

  return g_test_run ();
}
