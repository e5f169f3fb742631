/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-test"

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "casedb-test-util.h"

void
casedb_test_init (int *argc, char ***argv)
{
  g_autoptr(GError) error = NULL;

  g_test_init (argc, argv, NULL);
  if (!casedb_core_init (&error))
    g_error ("core init: %s", error->message);
}

char *
casedb_test_mkdtemp (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("casedb-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
casedb_test_rmtree (const char *dir)
{
  g_autoptr(GDir) d = NULL;
  const char *name;

  if (dir == NULL || (d = g_dir_open (dir, 0, NULL)) == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        casedb_test_rmtree (path);
      else
        g_unlink (path);
    }
  g_rmdir (dir);
}

CasedbStore *
casedb_test_create_store (const char *db_path, const char *admin, const char *password)
{
  g_autoptr(GError) error = NULL;
  CasedbKdfParams params;
  CasedbStore *store;

  casedb_kdf_params_testing (&params);
  store = casedb_store_create (db_path, admin, password, &params, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);
  casedb_store_set_kdf_params (store, &params);
  return store;
}

void
casedb_test_add_user (CasedbStore *store, const char *user, CasedbRole role,
                      const char *password)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (casedb_store_add_user (store, user, role, password, &error));
  g_assert_no_error (error);
}

static gboolean
memmem_any (const char *hay, gsize hay_len, const char *needle, gsize needle_len)
{
  return needle_len > 0 && memmem (hay, hay_len, needle, needle_len) != NULL;
}

gboolean
casedb_test_file_contains (const char *path, const char *needle)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  glong n16 = 0;
  g_autofree gunichar2 *utf16 = NULL;
  g_autofree char *be = NULL;

  if (!g_file_get_contents (path, &contents, &len, NULL))
    return FALSE;
  if (memmem_any (contents, len, needle, strlen (needle)))
    return TRUE;
  utf16 = g_utf8_to_utf16 (needle, -1, NULL, &n16, NULL);
  if (utf16 == NULL)
    return FALSE;
  if (memmem_any (contents, len, (const char *) utf16, n16 * 2))
    return TRUE;
  be = g_malloc (n16 * 2);
  for (glong i = 0; i < n16; i++)
    {
      be[2 * i] = utf16[i] >> 8;
      be[2 * i + 1] = utf16[i] & 0xff;
    }
  return memmem_any (contents, len, be, n16 * 2);
}

char *
casedb_test_dir_find (const char *dir, const char *needle)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_REGULAR) && casedb_test_file_contains (path, needle))
        return g_strdup (name);
    }
  return NULL;
}

CasedbCase *
casedb_test_make_case (const char *reference, const char *incident_date, CasedbViolationKind kind)
{
  CasedbCase *c = casedb_case_new ();

  c->reference = g_strdup (reference);
  c->incident_date = g_strdup (incident_date);
  c->report_date = g_strdup (incident_date);
  c->region = g_strdup ("North");
  c->source_code = g_strdup ("M-001");
  c->summary = g_strdup ("Coded summary");
  c->verification = CASEDB_VERIFICATION_UNVERIFIED;
  c->consent.given_by = CASEDB_CONSENT_BY_PARENT;
  c->consent.date = g_strdup (incident_date);
  c->consent.informed = TRUE;
  c->consent.uses = CASEDB_USE_STATISTICS | CASEDB_USE_SHARE_UN;
  casedb_case_add_violation (c, kind);
  return c;
}

int
casedb_test_run_tool (const char *input, char **out, char **err, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stdout_buf = NULL;
  g_autofree char *stderr_buf = NULL;
  const char *tool = g_getenv ("CASEDB_TOOL");
  const char *arg;
  va_list args;

  g_assert_nonnull (tool);
  g_ptr_array_add (argv, (char *) tool);
  va_start (args, err);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  proc = g_subprocess_newv ((const char * const *) argv->pdata,
                            G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                            | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  /* Both pipes are always drained, so a chatty tool cannot block. */
  g_subprocess_communicate_utf8 (proc, input != NULL ? input : "", NULL,
                                 &stdout_buf, &stderr_buf, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));

  if (out != NULL)
    *out = g_steal_pointer (&stdout_buf);
  if (err != NULL)
    *err = g_steal_pointer (&stderr_buf);
  return g_subprocess_get_exit_status (proc);
}

gint64
casedb_test_sql_int (CasedbStore *store, const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (casedb_store_get_db_handle (store), sql, -1, &stmt, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}
