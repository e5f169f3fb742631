/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-test-audit"

#include "config.h"

#include <glib/gi18n.h>
#include <sqlite3.h>
#include <string.h>

#include "casedb-test-util.h"

typedef struct {
  char        *dir;
  char        *path;
  CasedbStore *store;
  gint64       case_id;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CasedbCase) c = casedb_test_make_case ("AUD-1", "2024-02-02", CASEDB_VIOLATION_ABDUCTION);
  CasedbCase *loaded;

  f->dir = casedb_test_mkdtemp ();
  f->path = g_build_filename (f->dir, "audit.db", NULL);
  f->store = casedb_test_create_store (f->path, "admin", "admin-pw");

  casedb_case_add_victim (c)->name = casedb_secure_strdup ("Audit Child");
  g_assert_true (casedb_store_save_case (f->store, c, &error));
  g_assert_no_error (error);
  f->case_id = c->id;
  casedb_test_add_user (f->store, "carol", CASEDB_ROLE_CASEWORKER, "carol-pw");
  g_clear_object (&f->store);

  /* A login, a failed login, an identity read. */
  g_assert_null (casedb_store_open (f->path, "carol", "nope", &error));
  g_clear_error (&error);
  f->store = casedb_store_open (f->path, "carol", "carol-pw", &error);
  g_assert_no_error (error);
  loaded = casedb_store_load_case (f->store, f->case_id, TRUE, &error);
  g_assert_no_error (error);
  casedb_case_free (loaded);
  g_clear_object (&f->store);

  f->store = casedb_store_open (f->path, "admin", "admin-pw", &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->store);
  casedb_test_rmtree (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static CasedbAuditEntry *
find_entry (GPtrArray *entries, const char *action, const char *user)
{
  for (guint i = 0; i < entries->len; i++)
    {
      CasedbAuditEntry *e = g_ptr_array_index (entries, i);

      if (g_strcmp0 (e->action, action) == 0 && (user == NULL || g_strcmp0 (e->user, user) == 0))
        return e;
    }
  return NULL;
}

static void
exec_raw (Fixture *f, const char *sql)
{
  sqlite3 *db = casedb_store_get_db_handle (f->store);

  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
}

static void
assert_verify_fails (Fixture *f, const char *mentions)
{
  g_autoptr(GError) error = NULL;
  guint n = 0;

  g_assert_false (casedb_store_verify_audit (f->store, &n, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED);
  if (mentions != NULL && strstr (error->message, mentions) == NULL)
    g_error ("“%s” does not name %s", error->message, mentions);
}

static void
test_audit_entries (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CasedbCase) c = NULL;
  CasedbAuditEntry *e;
  guint n = 0;

  entries = casedb_store_list_audit (f->store, &error);
  g_assert_no_error (error);

  e = find_entry (entries, "login", "carol");
  g_assert_nonnull (e);
  g_assert_nonnull (find_entry (entries, "login", "admin"));
  e = find_entry (entries, "login_failed", "carol");
  g_assert_nonnull (e);
  e = find_entry (entries, "identity_read", "carol");
  g_assert_nonnull (e);
  c = casedb_store_load_case (f->store, f->case_id, FALSE, &error);
  g_assert_cmpstr (e->detail, ==, c->code);
  g_assert_nonnull (find_entry (entries, "case_create", "admin"));
  e = find_entry (entries, "user_add", "admin");
  g_assert_nonnull (e);

  /* Times are ISO 8601 UTC, ids consecutive from 1. */
  for (guint i = 0; i < entries->len; i++)
    {
      g_autoptr(GDateTime) t = NULL;

      e = g_ptr_array_index (entries, i);
      g_assert_cmpint (e->id, ==, i + 1);
      t = g_date_time_new_from_iso8601 (e->time, NULL);
      g_assert_nonnull (t);
      g_assert_true (g_str_has_suffix (e->time, "Z"));
      /* Never an identity in an entry. */
      g_assert_null (strstr (e->detail, "Audit Child"));
    }

  g_assert_true (casedb_store_verify_audit (f->store, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, entries->len);

  /* A load without identities is not an identity read. */
  {
    g_autoptr(GPtrArray) after = casedb_store_list_audit (f->store, &error);
    g_autoptr(CasedbCase) again = casedb_store_load_case (f->store, f->case_id, FALSE, &error);
    g_autoptr(GPtrArray) after2 = casedb_store_list_audit (f->store, &error);

    g_assert_cmpuint (after->len, ==, after2->len);
  }

  /* Entries appended through the API keep the chain valid. */
  g_assert_true (casedb_store_audit (f->store, "export", "un-package 3 cases", &error));
  g_assert_true (casedb_store_verify_audit (f->store, &n, &error));
  g_assert_cmpuint (n, ==, entries->len + 1);
}

static void
test_audit_changed_detail (Fixture *f, gconstpointer data)
{
  exec_raw (f, "UPDATE audit SET detail = 'nothing to see' WHERE id = 3");
  assert_verify_fails (f, "entry 3 ");
}

static void
test_audit_changed_user (Fixture *f, gconstpointer data)
{
  exec_raw (f, "UPDATE audit SET user = 'admin' WHERE action = 'identity_read'");
  assert_verify_fails (f, NULL);
}

static void
test_audit_deleted_middle (Fixture *f, gconstpointer data)
{
  exec_raw (f, "DELETE FROM audit WHERE id = 4");
  assert_verify_fails (f, "entry 4 ");
}

static void
test_audit_deleted_middle_renumbered (Fixture *f, gconstpointer data)
{
  exec_raw (f, "DELETE FROM audit WHERE id = 4; UPDATE audit SET id = id - 1 WHERE id > 4");
  assert_verify_fails (f, "entry 4 ");
}

static void
test_audit_deleted_last (Fixture *f, gconstpointer data)
{
  exec_raw (f, "DELETE FROM audit WHERE id = (SELECT max(id) FROM audit)");
  assert_verify_fails (f, NULL);

  /* Appending afterwards does not hide it. */
  g_assert_true (casedb_store_audit (f->store, "export", "x", NULL));
  assert_verify_fails (f, NULL);
}

static void
test_audit_inserted (Fixture *f, gconstpointer data)
{
  exec_raw (f, "INSERT INTO audit (id, time, user, action, detail, mac)"
               " SELECT max(id) + 1, time, user, action, detail, mac FROM audit");
  assert_verify_fails (f, NULL);
}

static void
test_audit_swapped (Fixture *f, gconstpointer data)
{
  /* Swap two entries' contents (keeping ids and MACs). */
  exec_raw (f, "CREATE TEMP TABLE t AS SELECT * FROM audit WHERE id IN (2, 3);"
               "UPDATE audit SET action = (SELECT action FROM t WHERE id = 3),"
               " detail = (SELECT detail FROM t WHERE id = 3) WHERE id = 2;"
               "UPDATE audit SET action = (SELECT action FROM t WHERE id = 2),"
               " detail = (SELECT detail FROM t WHERE id = 2) WHERE id = 3;");
  assert_verify_fails (f, "entry 2 ");
}

static void
test_audit_permissions (Fixture *f, gconstpointer data)
{
  g_autoptr(CasedbStore) cw = NULL;
  g_autoptr(GError) error = NULL;

  g_clear_object (&f->store);
  cw = casedb_store_open (f->path, "carol", "carol-pw", &error);
  g_assert_no_error (error);
  g_assert_false (casedb_store_verify_audit (cw, NULL, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_PERMITTED);
  g_clear_error (&error);
  g_assert_true (casedb_store_audit (cw, "export", "case list", &error));
  g_assert_no_error (error);
}

int
main (int argc, char *argv[])
{
  casedb_test_init (&argc, &argv);

#define ADD(path, fn) g_test_add ("/audit/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("entries", test_audit_entries);
  ADD ("changed-detail", test_audit_changed_detail);
  ADD ("changed-user", test_audit_changed_user);
  ADD ("deleted-middle", test_audit_deleted_middle);
  ADD ("deleted-middle-renumbered", test_audit_deleted_middle_renumbered);
  ADD ("deleted-last", test_audit_deleted_last);
  ADD ("inserted", test_audit_inserted);
  ADD ("swapped", test_audit_swapped);
  ADD ("permissions", test_audit_permissions);
#undef ADD

  return g_test_run ();
}
