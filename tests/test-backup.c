/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-test"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "casedb-test-util.h"

#define MARKER     "Zzmarker"
#define PASSPHRASE "a long backup passphrase"
#define N_CASES    40

typedef struct {
  char        *dir;
  char        *db;
  char        *backup;
  CasedbStore *store;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->dir = casedb_test_mkdtemp ();
  f->db = g_build_filename (f->dir, "office.casedb", NULL);
  f->backup = g_build_filename (f->dir, "office.backup", NULL);
  f->store = casedb_test_create_store (f->db, "sara", "sara-password");
  casedb_test_add_user (f->store, "karim", CASEDB_ROLE_CASEWORKER, "karim-password");
  casedb_test_add_user (f->store, "lina", CASEDB_ROLE_ANALYST, "lina-password");

  for (guint i = 0; i < N_CASES; i++)
    {
      g_autofree char *ref = g_strdup_printf ("B-%03u", i);
      g_autofree char *name = g_strdup_printf (MARKER " child %u", i);
      /* Long enough that the database outgrows a secure-memory pool step
       * (256 KiB): the backup must still open. */
      g_autofree char *padding = g_strnfill (8000, 'a' + i % 26);
      g_autofree char *story = g_strdup_printf (MARKER " narrative %u %s", i, padding);
      g_autoptr(CasedbCase) c = casedb_test_make_case (ref, "2024-01-15", i % CASEDB_N_VIOLATIONS);
      g_autoptr(GError) error = NULL;
      CasedbViolation *vi = g_ptr_array_index (c->violations, 0);
      CasedbVictim *v = casedb_case_add_victim (c);
      guint idx = 0;

      v->sex = i % 2 ? CASEDB_SEX_FEMALE : CASEDB_SEX_MALE;
      v->age = i % 18;
      v->name = casedb_secure_strdup (name);
      g_array_append_val (vi->victims, idx);
      c->narrative = casedb_secure_strdup (story);
      c->draft = i % 7 == 0;
      g_assert_true (casedb_store_save_case (f->store, c, &error));
      g_assert_no_error (error);
    }
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->store);
  casedb_test_rmtree (f->dir);
  g_free (f->db);
  g_free (f->backup);
  g_free (f->dir);
}

static void
backup_ok (Fixture *f, guint n_cases)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CasedbBackupInfo) info = NULL;
  CasedbKdfParams params;

  casedb_kdf_params_testing (&params);
  g_assert_true (casedb_backup_create (f->store, f->backup, PASSPHRASE, &params, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (info->n_cases, ==, n_cases);
  g_assert_cmpstr (info->database_id, ==, casedb_store_get_database_id (f->store));
  g_assert_cmpuint (info->database_size, >, 300 * 1024);
}

static GPtrArray *
all_cases (CasedbStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = casedb_store_list_case_ids (store, NULL, &error);
  GPtrArray *cases;

  g_assert_no_error (error);
  cases = casedb_store_load_cases (store, ids, TRUE, "test", &error);
  g_assert_no_error (error);
  return cases;
}

static void
assert_cases_equal (const CasedbCase *a, const CasedbCase *b)
{
  g_assert_cmpstr (a->uuid, ==, b->uuid);
  g_assert_cmpstr (a->code, ==, b->code);
  g_assert_cmpstr (a->reference, ==, b->reference);
  g_assert_cmpstr (a->incident_date, ==, b->incident_date);
  g_assert_cmpstr (a->narrative, ==, b->narrative);
  g_assert_cmpstr (a->summary, ==, b->summary);
  g_assert_cmpstr (a->updated, ==, b->updated);
  g_assert_cmpint (a->draft, ==, b->draft);
  g_assert_cmpint (a->consent.uses, ==, b->consent.uses);
  g_assert_cmpuint (a->violations->len, ==, b->violations->len);
  g_assert_cmpint (((CasedbViolation *) g_ptr_array_index (a->violations, 0))->kind, ==,
                   ((CasedbViolation *) g_ptr_array_index (b->violations, 0))->kind);
  g_assert_cmpuint (a->victims->len, ==, b->victims->len);
  for (guint i = 0; i < a->victims->len; i++)
    {
      CasedbVictim *va = g_ptr_array_index (a->victims, i);
      CasedbVictim *vb = g_ptr_array_index (b->victims, i);

      g_assert_cmpstr (va->code, ==, vb->code);
      g_assert_cmpstr (va->name, ==, vb->name);
      g_assert_cmpint (va->sex, ==, vb->sex);
      g_assert_cmpint (va->age, ==, vb->age);
    }
}

static void
test_backup_restore (Fixture *f, gconstpointer data)
{
  g_autofree char *restored = g_build_filename (f->dir, "restored.casedb", NULL);
  g_autofree char *restored_keys = casedb_store_keyslots_path (restored);
  g_autoptr(CasedbBackupInfo) verified = NULL;
  g_autoptr(CasedbBackupInfo) info = NULL;
  g_autoptr(CasedbStore) again = NULL;
  g_autoptr(CasedbStore) analyst = NULL;
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GPtrArray) audit = NULL;
  g_autoptr(GDateTime) last = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GError) error = NULL;
  gboolean audited = FALSE;
  GStatBuf st;

  g_assert_null (casedb_store_get_last_backup (f->store));
  before = all_cases (f->store);
  backup_ok (f, N_CASES);
  g_assert_false (casedb_test_file_contains (f->backup, MARKER));
  g_assert_false (casedb_test_file_contains (f->backup, "B-001"));
  g_assert_cmpint (g_stat (f->backup, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* The reminder's clock and the audit log. */
  last = casedb_store_get_last_backup (f->store);
  g_assert_nonnull (last);
  g_assert_cmpint (g_date_time_difference (now, last), <, 60 * G_TIME_SPAN_SECOND);
  audit = casedb_store_list_audit (f->store, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < audit->len; i++)
    {
      CasedbAuditEntry *e = g_ptr_array_index (audit, i);

      if (g_strcmp0 (e->action, "backup") == 0)
        {
          g_assert_cmpstr (e->user, ==, "sara");
          g_assert_cmpstr (e->detail, ==, "40 cases to office.backup");
          audited = TRUE;
        }
    }
  g_assert_true (audited);

  verified = casedb_backup_verify (f->backup, PASSPHRASE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (verified->n_cases, ==, N_CASES);
  g_assert_cmpint (verified->schema_version, ==, casedb_store_get_schema_version (f->store));

  info = casedb_backup_restore (f->backup, PASSPHRASE, restored, &error);
  g_assert_no_error (error);
  g_assert_nonnull (info);
  g_assert_cmpint (g_stat (restored, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (restored_keys, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* The same passwords open it; every case is there with its identities. */
  again = casedb_store_open (restored, "karim", "karim-password", &error);
  g_assert_no_error (error);
  after = all_cases (again);
  g_assert_cmpuint (after->len, ==, before->len);
  for (guint i = 0; i < before->len; i++)
    assert_cases_equal (g_ptr_array_index (before, i), g_ptr_array_index (after, i));
  analyst = casedb_store_open (restored, "lina", "lina-password", &error);
  g_assert_no_error (error);

  /* Never over an existing database. */
  g_clear_pointer (&info, casedb_backup_info_free);
  info = casedb_backup_restore (f->backup, PASSPHRASE, restored, &error);
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_EXISTS);
  g_assert_null (info);
}

static void
test_backup_wrong_passphrase (Fixture *f, gconstpointer data)
{
  g_autofree char *restored = g_build_filename (f->dir, "restored.casedb", NULL);
  g_autofree char *restored_keys = casedb_store_keyslots_path (restored);
  g_autoptr(CasedbBackupInfo) info = NULL;
  g_autoptr(CasedbStore) analyst = NULL;
  g_autoptr(GError) error = NULL;
  CasedbKdfParams params;

  backup_ok (f, N_CASES);
  info = casedb_backup_verify (f->backup, "a wrong passphrase", &error);
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_WRONG_PASSWORD);
  g_assert_null (info);
  g_clear_error (&error);

  info = casedb_backup_restore (f->backup, "a wrong passphrase", restored, &error);
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_WRONG_PASSWORD);
  g_assert_null (info);
  g_clear_error (&error);
  g_assert_false (g_file_test (restored, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (restored_keys, G_FILE_TEST_EXISTS));

  /* Only supervisors make backups; a passphrase must be long. */
  casedb_kdf_params_testing (&params);
  analyst = casedb_store_open (f->db, "lina", "lina-password", &error);
  g_assert_no_error (error);
  g_assert_false (casedb_backup_create (analyst, restored, PASSPHRASE, &params, NULL, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_PERMITTED);
  g_clear_error (&error);
  g_assert_false (casedb_backup_create (f->store, restored, "short", &params, NULL, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_false (g_file_test (restored, G_FILE_TEST_EXISTS));
}

static void
write_file (const char *path, const char *data, gsize len)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, data, len, &error);
  g_assert_no_error (error);
}

static void
test_backup_tampered (Fixture *f, gconstpointer data)
{
  g_autofree char *contents = NULL;
  g_autofree char *copy = g_build_filename (f->dir, "copy.backup", NULL);
  g_autofree char *restored = g_build_filename (f->dir, "restored.casedb", NULL);
  g_autoptr(GError) error = NULL;
  gsize len = 0;
  /* Positions as fractions of the file: the header, the first chunks, the
   * middle, the very last byte (the tag of the final chunk). */
  const double where[] = { 0.0, 0.3, 0.5, 0.9 };

  backup_ok (f, N_CASES);
  g_file_get_contents (f->backup, &contents, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (len, >, 100000);

  for (guint i = 0; i < G_N_ELEMENTS (where) + 1; i++)
    {
      g_autoptr(CasedbBackupInfo) info = NULL;
      gsize pos = i < G_N_ELEMENTS (where) ? (gsize) (where[i] * len) + 30 : len - 1;

      contents[pos] ^= 0x04;
      g_unlink (copy);
      write_file (copy, contents, len);
      contents[pos] ^= 0x04;

      info = casedb_backup_verify (copy, PASSPHRASE, &error);
      g_assert_null (info);
      /* Past the header, damage is told apart from a wrong passphrase. */
      if (pos >= 64)
        g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED);
      else
        g_assert_nonnull (error);
      g_clear_error (&error);

      info = casedb_backup_restore (copy, PASSPHRASE, restored, &error);
      g_assert_null (info);
      g_assert_nonnull (error);
      g_clear_error (&error);
      g_assert_false (g_file_test (restored, G_FILE_TEST_EXISTS));
    }

  /* Cut short. */
  g_unlink (copy);
  write_file (copy, contents, len - 1000);
  g_assert_null (casedb_backup_verify (copy, PASSPHRASE, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED);
  g_clear_error (&error);

  /* Intact, it still verifies. */
  g_unlink (copy);
  write_file (copy, contents, len);
  {
    g_autoptr(CasedbBackupInfo) info = casedb_backup_verify (copy, PASSPHRASE, &error);

    g_assert_no_error (error);
    g_assert_nonnull (info);
  }
}

typedef struct {
  CasedbStore *other;
  gboolean     called;
} LockContext;

static gboolean
check_locked_cb (CasedbStore *store, const char *db_path, const char *keys_path, guint n_cases,
                 gpointer user_data, GError **error)
{
  LockContext *ctx = user_data;
  g_autoptr(CasedbCase) c = casedb_test_make_case ("LOCK-1", "2024-02-02", CASEDB_VIOLATION_ABDUCTION);
  g_autoptr(GError) local_error = NULL;

  /* Another connection cannot commit while the files are copied. */
  g_assert_false (casedb_store_save_case (ctx->other, c, &local_error));
  g_assert_nonnull (local_error);
  g_assert_cmpuint (n_cases, ==, N_CASES);
  g_assert_true (g_file_test (db_path, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (keys_path, G_FILE_TEST_IS_REGULAR));
  ctx->called = TRUE;
  return TRUE;
}

static void
test_backup_locked (Fixture *f, gconstpointer data)
{
  g_autoptr(CasedbStore) other = NULL;
  g_autoptr(CasedbCase) c = casedb_test_make_case ("LOCK-2", "2024-02-02", CASEDB_VIOLATION_ABDUCTION);
  g_autoptr(GError) error = NULL;
  g_autofree char *journal = g_strconcat (f->dir, "/x.casedb-journal", NULL);
  g_autofree char *restored = g_build_filename (f->dir, "x.casedb", NULL);
  LockContext ctx = { NULL, FALSE };

  other = casedb_store_open (f->db, "karim", "karim-password", &error);
  g_assert_no_error (error);
  ctx.other = other;
  g_assert_true (casedb_store_copy_files (f->store, check_locked_cb, &ctx, &error));
  g_assert_no_error (error);
  g_assert_true (ctx.called);

  /* And can again once it is done. */
  g_assert_true (casedb_store_save_case (other, c, &error));
  g_assert_no_error (error);

  /* A stale journal would be rolled into a restored database. */
  backup_ok (f, N_CASES + 1);
  write_file (journal, "x", 1);
  g_assert_null (casedb_backup_restore (f->backup, PASSPHRASE, restored, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_EXISTS);
  g_assert_false (g_file_test (restored, G_FILE_TEST_EXISTS));
}

int
main (int argc, char *argv[])
{
  casedb_test_init (&argc, &argv);

  g_test_add ("/backup/restore", Fixture, NULL, fixture_setup, test_backup_restore, fixture_teardown);
  g_test_add ("/backup/wrong-passphrase", Fixture, NULL, fixture_setup, test_backup_wrong_passphrase,
              fixture_teardown);
  g_test_add ("/backup/tampered", Fixture, NULL, fixture_setup, test_backup_tampered, fixture_teardown);
  g_test_add ("/backup/locked", Fixture, NULL, fixture_setup, test_backup_locked, fixture_teardown);

  return g_test_run ();
}
