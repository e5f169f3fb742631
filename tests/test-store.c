/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-test-store"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "casedb-test-util.h"

typedef struct {
  char        *dir;
  char        *path;
  CasedbStore *store;   /* supervisor "admin" */
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->dir = casedb_test_mkdtemp ();
  f->path = g_build_filename (f->dir, "cases.db", NULL);
  f->store = casedb_test_create_store (f->path, "admin", "admin-pw");
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->store);
  casedb_test_rmtree (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static CasedbStore *
open_ok (const char *path, const char *user, const char *password)
{
  g_autoptr(GError) error = NULL;
  CasedbStore *store = casedb_store_open (path, user, password, &error);
  CasedbKdfParams params;

  g_assert_no_error (error);
  g_assert_nonnull (store);
  casedb_kdf_params_testing (&params);
  casedb_store_set_kdf_params (store, &params);
  return store;
}

static void
open_fails (const char *path, const char *user, const char *password, int code)
{
  g_autoptr(GError) error = NULL;
  CasedbStore *store = casedb_store_open (path, user, password, &error);

  g_assert_null (store);
  g_assert_error (error, CASEDB_ERROR, code);
}

/* A case with one victim and every identity field filled. */
static CasedbCase *
make_identity_case (const char *reference, const char *date, const char *victim_name)
{
  CasedbCase *c = casedb_test_make_case (reference, date, CASEDB_VIOLATION_KILLING_MAIMING);
  CasedbViolation *vio = g_ptr_array_index (c->violations, 0);
  CasedbVictim *v = casedb_case_add_victim (c);
  guint zero = 0;

  c->location_detail = casedb_secure_strdup ("Behind the mill, house 4");
  c->narrative = casedb_secure_strdup ("Narrative of what happened");
  c->followup_notes = casedb_secure_strdup ("Follow up with the family");
  c->referral_notes = casedb_secure_strdup ("Referred to the clinic");
  c->consent.withhold_from = casedb_secure_strdup ("The local commander");
  c->consent.withhold_reason = casedb_secure_strdup ("Reprisal risk");
  v->name = casedb_secure_strdup (victim_name);
  v->guardian = casedb_secure_strdup ("Guardian of the child");
  v->contact = casedb_secure_strdup ("+000 555 0100");
  v->age = 11;
  v->sex = CASEDB_SEX_FEMALE;
  vio->subtype = g_strdup ("maiming");
  g_array_append_val (vio->victims, zero);
  return c;
}

static void
save_ok (CasedbStore *store, CasedbCase *c)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (casedb_store_save_case (store, c, &error));
  g_assert_no_error (error);
}

static guint
n_items (GListModel *model)
{
  return g_list_model_get_n_items (model);
}

/* ---- tests ---- */

static void
test_store_create_open (Fixture *f, gconstpointer data)
{
  g_autofree char *keys = casedb_store_keyslots_path (f->path);
  g_autoptr(CasedbStore) again = NULL;
  g_autoptr(GError) error = NULL;
  GStatBuf st;

  g_assert_cmpstr (keys + strlen (f->path), ==, ".keys");
  g_assert_cmpint (casedb_store_get_role (f->store), ==, CASEDB_ROLE_SUPERVISOR);
  g_assert_cmpstr (casedb_store_get_user (f->store), ==, "admin");
  g_assert_cmpstr (casedb_store_get_path (f->store), ==, f->path);
  g_assert_cmpint (casedb_store_get_schema_version (f->store), >=, 1);

  g_assert_cmpint (g_stat (f->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (keys, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* Create refuses an existing database. */
  {
    CasedbKdfParams params;

    casedb_kdf_params_testing (&params);
    g_assert_null (casedb_store_create (f->path, "x", "y", &params, &error));
    g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_EXISTS);
    g_clear_error (&error);
  }

  casedb_store_close (f->store);
  /* A closed store refuses everything. */
  {
    g_autoptr(GListModel) none = casedb_store_list_cases (f->store, NULL, &error);

    g_assert_null (none);
    g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_FAILED);
    g_clear_error (&error);
  }

  again = open_ok (f->path, "admin", "admin-pw");
  g_assert_cmpint (casedb_store_get_role (again), ==, CASEDB_ROLE_SUPERVISOR);
}

static void
test_store_create_exists_keys_only (void)
{
  g_autofree char *dir = casedb_test_mkdtemp ();
  g_autofree char *path = g_build_filename (dir, "x.db", NULL);
  g_autofree char *keys = casedb_store_keyslots_path (path);
  g_autoptr(GError) error = NULL;
  CasedbKdfParams params;

  casedb_kdf_params_testing (&params);
  g_assert_true (g_file_set_contents (keys, "{}", -1, NULL));
  g_assert_null (casedb_store_create (path, "a", "b", &params, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_EXISTS);
  /* It did not leave a database behind, nor remove the file it found. */
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (keys, G_FILE_TEST_EXISTS));
  casedb_test_rmtree (dir);
}

static void
test_store_wrong_password (Fixture *f, gconstpointer data)
{
  g_autoptr(CasedbStore) again = NULL;
  g_autoptr(GPtrArray) audit = NULL;
  guint n_failed = 0;

  g_clear_object (&f->store);
  open_fails (f->path, "admin", "wrong", CASEDB_ERROR_WRONG_PASSWORD);
  open_fails (f->path, "nobody", "admin-pw", CASEDB_ERROR_WRONG_PASSWORD);
  open_fails (f->path, "admin", "", CASEDB_ERROR_WRONG_PASSWORD);

  /* The failures reach the audit log at the next successful login. */
  again = open_ok (f->path, "admin", "admin-pw");
  audit = casedb_store_list_audit (again, NULL);
  g_assert_nonnull (audit);
  for (guint i = 0; i < audit->len; i++)
    {
      CasedbAuditEntry *e = g_ptr_array_index (audit, i);

      if (g_strcmp0 (e->action, "login_failed") == 0)
        {
          n_failed++;
          /* Never the typed password. */
          g_assert_null (strstr (e->detail, "wrong"));
        }
    }
  g_assert_cmpuint (n_failed, ==, 3);
  g_assert_cmpstr (((CasedbAuditEntry *) g_ptr_array_index (audit, audit->len - 1))->action, ==, "login");
}

static void
test_store_missing_files (Fixture *f, gconstpointer data)
{
  g_autofree char *keys = casedb_store_keyslots_path (f->path);
  g_autofree char *moved = g_strconcat (keys, ".bak", NULL);
  g_autofree char *nowhere = g_build_filename (f->dir, "nothing.db", NULL);
  g_autoptr(GError) error = NULL;

  g_clear_object (&f->store);
  g_assert_cmpint (g_rename (keys, moved), ==, 0);
  g_assert_null (casedb_store_open (f->path, "admin", "admin-pw", &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, ".keys"));
  g_clear_error (&error);

  g_assert_null (casedb_store_open (nowhere, "admin", "admin-pw", &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "nothing.db"));
  /* Opening did not create it. */
  g_assert_false (g_file_test (nowhere, G_FILE_TEST_EXISTS));
}

static void
test_store_save_load (Fixture *f, gconstpointer data)
{
  g_autoptr(CasedbCase) c = make_identity_case ("OFF-1", "2024-05-06", "Zahra Example");
  g_autoptr(CasedbCase) loaded = NULL;
  g_autoptr(CasedbStore) cw = NULL;
  g_autoptr(GError) error = NULL;
  CasedbVictim *v;
  CasedbViolation *vio;

  casedb_test_add_user (f->store, "carol", CASEDB_ROLE_CASEWORKER, "carol-pw");
  g_clear_object (&f->store);
  cw = open_ok (f->path, "carol", "carol-pw");
  g_assert_cmpint (casedb_store_get_role (cw), ==, CASEDB_ROLE_CASEWORKER);

  save_ok (cw, c);
  g_assert_cmpint (c->id, >, 0);
  g_assert_nonnull (c->uuid);
  g_assert_true (g_uuid_string_is_valid (c->uuid));
  g_assert_cmpstr (c->code, ==, "C-2024-0001");
  g_assert_cmpstr (((CasedbVictim *) g_ptr_array_index (c->victims, 0))->code, ==, "V-000001");
  g_assert_cmpstr (c->updated_by, ==, "carol");

  loaded = casedb_store_load_case (cw, c->id, TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (loaded->has_identities);
  g_assert_cmpstr (loaded->code, ==, "C-2024-0001");
  g_assert_cmpstr (loaded->uuid, ==, c->uuid);
  g_assert_cmpstr (loaded->reference, ==, "OFF-1");
  g_assert_cmpstr (loaded->incident_date, ==, "2024-05-06");
  g_assert_cmpstr (loaded->region, ==, "North");
  g_assert_cmpstr (loaded->summary, ==, "Coded summary");
  g_assert_cmpstr (loaded->location_detail, ==, "Behind the mill, house 4");
  g_assert_true (casedb_secure_is_secure (loaded->location_detail));
  g_assert_cmpstr (loaded->narrative, ==, "Narrative of what happened");
  g_assert_cmpstr (loaded->followup_notes, ==, "Follow up with the family");
  g_assert_cmpstr (loaded->referral_notes, ==, "Referred to the clinic");
  g_assert_cmpstr (loaded->consent.withhold_from, ==, "The local commander");
  g_assert_cmpstr (loaded->consent.withhold_reason, ==, "Reprisal risk");
  g_assert_cmpint (loaded->consent.given_by, ==, CASEDB_CONSENT_BY_PARENT);
  g_assert_cmpint (loaded->consent.uses, ==, CASEDB_USE_STATISTICS | CASEDB_USE_SHARE_UN);
  g_assert_true (loaded->consent.informed);
  g_assert_cmpuint (loaded->victims->len, ==, 1);
  v = g_ptr_array_index (loaded->victims, 0);
  g_assert_cmpstr (v->code, ==, "V-000001");
  g_assert_cmpstr (v->name, ==, "Zahra Example");
  g_assert_true (casedb_secure_is_secure (v->name));
  g_assert_cmpstr (v->guardian, ==, "Guardian of the child");
  g_assert_cmpstr (v->contact, ==, "+000 555 0100");
  g_assert_cmpint (v->age, ==, 11);
  g_assert_cmpint (v->sex, ==, CASEDB_SEX_FEMALE);
  g_assert_cmpuint (loaded->violations->len, ==, 1);
  vio = g_ptr_array_index (loaded->violations, 0);
  g_assert_cmpint (vio->kind, ==, CASEDB_VIOLATION_KILLING_MAIMING);
  g_assert_cmpstr (vio->subtype, ==, "maiming");
  g_assert_cmpuint (vio->victims->len, ==, 1);
  g_assert_cmpuint (g_array_index (vio->victims, guint, 0), ==, 0);

  /* By code, and without identities. */
  {
    g_autoptr(CasedbCase) coded = casedb_store_load_case_by_code (cw, "C-2024-0001", FALSE, &error);

    g_assert_no_error (error);
    g_assert_false (coded->has_identities);
    g_assert_null (coded->narrative);
    g_assert_null (((CasedbVictim *) g_ptr_array_index (coded->victims, 0))->name);
    g_assert_cmpint (coded->id, ==, c->id);
  }

  /* Not found. */
  g_assert_null (casedb_store_load_case (cw, 9999, FALSE, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Update: remove the victim, add two, change the coded fields. */
  casedb_case_remove_victim (loaded, 0);
  casedb_case_add_victim (loaded)->name = casedb_secure_strdup ("Second Child");
  casedb_case_add_victim (loaded)->age = 5;
  g_free (loaded->summary);
  loaded->summary = g_strdup ("Updated summary");
  save_ok (cw, loaded);
  g_assert_cmpstr (loaded->code, ==, "C-2024-0001");
  g_assert_cmpstr (((CasedbVictim *) g_ptr_array_index (loaded->victims, 0))->code, ==, "V-000002");
  {
    g_autoptr(CasedbCase) back = casedb_store_load_case (cw, c->id, TRUE, &error);
    g_autoptr(GListModel) all = casedb_store_list_cases (cw, NULL, &error);
    CasedbCaseRow *row;

    g_assert_no_error (error);
    g_assert_cmpstr (back->summary, ==, "Updated summary");
    g_assert_cmpuint (back->victims->len, ==, 2);
    g_assert_cmpstr (((CasedbVictim *) g_ptr_array_index (back->victims, 0))->name, ==, "Second Child");
    g_assert_null (((CasedbVictim *) g_ptr_array_index (back->victims, 1))->name);
    g_assert_cmpint (((CasedbVictim *) g_ptr_array_index (back->victims, 1))->age, ==, 5);
    g_assert_cmpuint (n_items (all), ==, 1);
    row = g_list_model_get_item (all, 0);
    g_assert_cmpuint (casedb_case_row_get_n_victims (row), ==, 2);
    g_assert_cmpstr (casedb_case_row_get_summary (row), ==, "Updated summary");
    g_object_unref (row);
  }

  /* A second case gets the next number; the same reference is refused. */
  {
    g_autoptr(CasedbCase) c2 = casedb_test_make_case ("OFF-2", "2024-07-01", CASEDB_VIOLATION_ABDUCTION);
    g_autoptr(CasedbCase) dup = casedb_test_make_case ("OFF-1", "2024-07-01", CASEDB_VIOLATION_ABDUCTION);
    g_autoptr(CasedbCase) other_year = casedb_test_make_case ("OFF-3", "2023-07-01", CASEDB_VIOLATION_ABDUCTION);

    save_ok (cw, c2);
    g_assert_cmpstr (c2->code, ==, "C-2024-0002");
    save_ok (cw, other_year);
    g_assert_cmpstr (other_year->code, ==, "C-2023-0001");
    g_assert_false (casedb_store_save_case (cw, dup, &error));
    g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_EXISTS);
    g_assert_nonnull (strstr (error->message, "OFF-1"));
    g_clear_error (&error);
    g_assert_cmpint (dup->id, ==, 0);
    g_assert_null (dup->code);
  }

  /* Invalid cases are refused with the field named. */
  {
    g_autoptr(CasedbCase) bad = casedb_test_make_case ("OFF-9", "2024-07-01", CASEDB_VIOLATION_ABDUCTION);

    g_ptr_array_set_size (bad->violations, 0);
    g_assert_false (casedb_store_save_case (cw, bad, &error));
    g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT);
    g_clear_error (&error);
  }

  /* Delete. */
  g_assert_true (casedb_store_delete_case (cw, c->id, &error));
  g_assert_no_error (error);
  g_assert_null (casedb_store_load_case (cw, c->id, FALSE, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (casedb_store_delete_case (cw, c->id, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_FOUND);
}

static void
test_store_analyst (Fixture *f, gconstpointer data)
{
  g_autoptr(CasedbCase) c = make_identity_case ("OFF-1", "2024-05-06", "Zahra Example");
  g_autoptr(CasedbCase) coded = NULL;
  g_autoptr(CasedbStore) an = NULL;
  g_autoptr(GListModel) list = NULL;
  g_autoptr(GError) error = NULL;
  guint counts[CASEDB_N_VIOLATIONS];
  guint total = 0;

  save_ok (f->store, c);
  casedb_test_add_user (f->store, "ana", CASEDB_ROLE_ANALYST, "ana-pw");
  g_clear_object (&f->store);

  an = open_ok (f->path, "ana", "ana-pw");
  g_assert_cmpint (casedb_store_get_role (an), ==, CASEDB_ROLE_ANALYST);
  g_assert_false (casedb_store_can (an, CASEDB_PERM_READ_IDENTITY));
  g_assert_true (casedb_store_can (an, CASEDB_PERM_READ_CODED));

  list = casedb_store_list_cases (an, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n_items (list), ==, 1);
  g_assert_true (casedb_store_count_by_violation (an, NULL, counts, &total, &error));
  g_assert_cmpuint (total, ==, 1);
  g_assert_cmpuint (counts[CASEDB_VIOLATION_KILLING_MAIMING], ==, 1);

  g_assert_null (casedb_store_load_case (an, c->id, TRUE, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_PERMITTED);
  g_clear_error (&error);

  coded = casedb_store_load_case (an, c->id, FALSE, &error);
  g_assert_no_error (error);
  g_assert_false (coded->has_identities);
  g_assert_null (coded->narrative);
  g_assert_null (coded->location_detail);
  g_assert_null (coded->followup_notes);
  g_assert_null (coded->referral_notes);
  g_assert_null (coded->consent.withhold_from);
  g_assert_null (coded->consent.withhold_reason);
  g_assert_null (((CasedbVictim *) g_ptr_array_index (coded->victims, 0))->name);
  g_assert_null (((CasedbVictim *) g_ptr_array_index (coded->victims, 0))->guardian);
  g_assert_null (((CasedbVictim *) g_ptr_array_index (coded->victims, 0))->contact);
  g_assert_cmpstr (coded->summary, ==, "Coded summary");

  g_assert_false (casedb_store_save_case (an, coded, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_PERMITTED);
  g_clear_error (&error);
  g_assert_false (casedb_store_delete_case (an, c->id, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_PERMITTED);
  g_clear_error (&error);
  g_assert_false (casedb_store_add_user (an, "eve", CASEDB_ROLE_SUPERVISOR, "x", &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_PERMITTED);
  g_clear_error (&error);
  g_assert_null (casedb_store_search_identities (an, "Zahra", &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_PERMITTED);
  g_clear_error (&error);
  g_assert_null (casedb_store_get_victim_names (an, c->id, TRUE, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_PERMITTED);
  g_clear_error (&error);
  g_assert_null (casedb_store_list_users (an, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_PERMITTED);
  g_clear_error (&error);
  g_assert_false (casedb_store_rekey (an, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_PERMITTED);
  g_clear_error (&error);
  g_assert_null (casedb_store_list_audit (an, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_PERMITTED);
  g_clear_error (&error);

  /* The text filter never looks into identity fields. */
  {
    CasedbQuery q = CASEDB_QUERY_INIT;
    g_autoptr(GListModel) none = NULL;

    q.text = "Zahra";
    none = casedb_store_list_cases (an, &q, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (n_items (none), ==, 0);
  }

  /* Analysts may append their own audit entries. */
  g_assert_true (casedb_store_audit (an, "export", "statistics", &error));
  g_assert_no_error (error);
}

static void
test_store_verification (Fixture *f, gconstpointer data)
{
  g_autoptr(CasedbCase) c = casedb_test_make_case ("V-1", "2024-02-02", CASEDB_VIOLATION_ABDUCTION);
  g_autoptr(CasedbStore) cw = NULL;
  g_autoptr(GError) error = NULL;

  casedb_test_add_user (f->store, "carol", CASEDB_ROLE_CASEWORKER, "carol-pw");
  cw = open_ok (f->path, "carol", "carol-pw");

  c->verification = CASEDB_VERIFICATION_PENDING;
  save_ok (cw, c);

  c->verification = CASEDB_VERIFICATION_VERIFIED;
  g_assert_false (casedb_store_save_case (cw, c, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_PERMITTED);
  g_clear_error (&error);
  {
    g_autoptr(CasedbCase) back = casedb_store_load_case (cw, c->id, FALSE, &error);

    g_assert_cmpint (back->verification, ==, CASEDB_VERIFICATION_PENDING);
  }

  /* A new case cannot be stored verified by a caseworker either. */
  {
    g_autoptr(CasedbCase) n = casedb_test_make_case ("V-2", "2024-02-02", CASEDB_VIOLATION_ABDUCTION);

    n->verification = CASEDB_VERIFICATION_VERIFIED;
    g_assert_false (casedb_store_save_case (cw, n, &error));
    g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_PERMITTED);
    g_clear_error (&error);
    g_assert_cmpint (n->id, ==, 0);
  }

  save_ok (f->store, c);
  {
    g_autoptr(CasedbCase) back = casedb_store_load_case (f->store, c->id, FALSE, &error);

    g_assert_cmpint (back->verification, ==, CASEDB_VERIFICATION_VERIFIED);
  }

  /* Once a supervisor verified it, a caseworker may still add notes
   * without touching the verification … */
  {
    g_autoptr(CasedbCase) again = casedb_store_load_case (cw, c->id, FALSE, &error);

    g_free (again->summary);
    again->summary = g_strdup ("Follow-up visit done");
    save_ok (cw, again);
  }
  /* … but taking it back to pending and then to verified again is not theirs. */
  {
    g_autoptr(CasedbCase) again = casedb_store_load_case (cw, c->id, FALSE, &error);

    again->verification = CASEDB_VERIFICATION_PENDING;
    save_ok (cw, again);
    again->verification = CASEDB_VERIFICATION_VERIFIED;
    g_assert_false (casedb_store_save_case (cw, again, &error));
    g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_PERMITTED);
    g_clear_error (&error);
  }
}

/* Two stores on one database (a window and casedb-tool): a key-slot change
 * in one must not write back the other's older copy of the key-slot file,
 * and a slot put back from an old copy of the file opens nothing. */
static void
test_store_stale_keyslots (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CasedbStore) other = NULL;
  g_autofree char *keys_path = casedb_store_keyslots_path (f->path);
  g_autofree char *old_keys = NULL;
  gsize old_len = 0;

  casedb_test_add_user (f->store, "fired", CASEDB_ROLE_CASEWORKER, "fired-pw");
  casedb_test_add_user (f->store, "karim", CASEDB_ROLE_CASEWORKER, "karim-pw");
  g_assert_true (g_file_get_contents (keys_path, &old_keys, &old_len, NULL));

  other = open_ok (f->path, "admin", "admin-pw");
  g_assert_true (casedb_store_remove_user (other, "fired", &error));
  g_assert_no_error (error);

  /* f->store still holds the slots it loaded before the removal. */
  g_assert_true (casedb_store_reset_password (f->store, "karim", "karim-new-pw", &error));
  g_assert_no_error (error);
  g_assert_null (casedb_store_open (f->path, "fired", "fired-pw", &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_clear_object (&other);
  other = open_ok (f->path, "karim", "karim-new-pw");
  g_clear_object (&other);

  /* An old copy of the key-slot file, put back, still holds fired's slot
   * with the right keys: the user list in the database refuses it. */
  g_assert_true (g_file_set_contents (keys_path, old_keys, old_len, NULL));
  g_assert_null (casedb_store_open (f->path, "fired", "fired-pw", &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_PERMITTED);
}

/* Anyone with the data key sees each sealed value's length: names must
 * not be told apart by it. */
static void
test_store_sealed_length (Fixture *f, gconstpointer data)
{
  g_autoptr(CasedbCase) c = casedb_test_make_case ("LEN-1", "2024-05-05", CASEDB_VIOLATION_ABDUCTION);
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt = NULL;
  const char *names[] = { "Al", "Alexandra-Maria Qq" };
  int lengths[2] = { 0, 0 };
  int n = 0;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      CasedbVictim *v = casedb_case_add_victim (c);

      v->name = casedb_secure_strdup (names[i]);
      g_array_append_val (((CasedbViolation *) c->violations->pdata[0])->victims, i);
    }
  g_assert_true (casedb_store_save_case (f->store, c, &error));
  g_assert_no_error (error);

  g_assert_cmpint (sqlite3_prepare_v2 (casedb_store_get_db_handle (f->store),
                                       "SELECT length(name) FROM victims ORDER BY position", -1,
                                       &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW && n < 2)
    lengths[n++] = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  g_assert_cmpint (n, ==, 2);
  g_assert_cmpint (lengths[0], ==, lengths[1]);

  /* And they still read back exactly. */
  {
    g_autoptr(CasedbCase) back = casedb_store_load_case (f->store, c->id, TRUE, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (((CasedbVictim *) back->victims->pdata[0])->name, ==, names[0]);
    g_assert_cmpstr (((CasedbVictim *) back->victims->pdata[1])->name, ==, names[1]);
  }
}

static void
test_store_filters (Fixture *f, gconstpointer data)
{
  static const struct {
    const char *ref, *date, *region;
    CasedbViolationKind kind;
    CasedbVerification verification;
    gboolean draft, followup;
    const char *summary;
  } rows[] = {
    { "A-1", "2024-01-01", "North", CASEDB_VIOLATION_ABDUCTION, CASEDB_VERIFICATION_UNVERIFIED, FALSE, FALSE, "school bus stopped" },
    { "A-2", "2024-01-31", "South", CASEDB_VIOLATION_KILLING_MAIMING, CASEDB_VERIFICATION_VERIFIED, FALSE, TRUE, "shelling" },
    { "A-3", "2024-02-01", "North", CASEDB_VIOLATION_KILLING_MAIMING, CASEDB_VERIFICATION_PENDING, TRUE, FALSE, "50% of the roof" },
    { "B_4", "2024-03-15", "East", CASEDB_VIOLATION_SEXUAL_VIOLENCE, CASEDB_VERIFICATION_UNVERIFIED, FALSE, TRUE, "coded" },
    { "B-5", "2023-12-31", "South", CASEDB_VIOLATION_ABDUCTION, CASEDB_VERIFICATION_VERIFIED, FALSE, FALSE, "Shelling nearby" },
  };
  g_autoptr(GError) error = NULL;
  CasedbQuery q;

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr(CasedbCase) c = casedb_test_make_case (rows[i].ref, rows[i].date, rows[i].kind);

      g_free (c->region);
      c->region = g_strdup (rows[i].region);
      g_free (c->summary);
      c->summary = g_strdup (rows[i].summary);
      c->verification = rows[i].verification;
      c->draft = rows[i].draft;
      c->needs_followup = rows[i].followup;
      if (i == 1)
        casedb_case_add_violation (c, CASEDB_VIOLATION_ATTACK_SCHOOL_HOSPITAL);
      save_ok (f->store, c);
    }

#define EXPECT(q, ...) G_STMT_START { \
    static const char *want[] = { __VA_ARGS__, NULL }; \
    g_autoptr(GListModel) m = casedb_store_list_cases (f->store, &(q), &error); \
    g_autoptr(GPtrArray) got = g_ptr_array_new (); \
    g_assert_no_error (error); \
    for (guint _i = 0; _i < n_items (m); _i++) \
      { \
        g_autoptr(CasedbCaseRow) r = g_list_model_get_item (m, _i); \
        g_ptr_array_add (got, (gpointer) g_intern_string (casedb_case_row_get_reference (r))); \
      } \
    g_ptr_array_add (got, NULL); \
    if (!g_strv_equal ((const char * const *) want, (const char * const *) got->pdata)) \
      { \
        g_autofree char *a = g_strjoinv (",", (char **) want); \
        g_autofree char *b = g_strjoinv (",", (char **) got->pdata); \
        g_error ("line %d: expected %s, got %s", __LINE__, a, b); \
      } \
  } G_STMT_END

  /* Sorted by code: C-2023-0001 (B-5) first, then 2024 in insertion order. */
  q = (CasedbQuery) CASEDB_QUERY_INIT;
  EXPECT (q, "B-5", "A-1", "A-2", "A-3", "B_4");

  q = (CasedbQuery) CASEDB_QUERY_INIT;
  q.violation = CASEDB_VIOLATION_KILLING_MAIMING;
  EXPECT (q, "A-2", "A-3");
  q.violation = CASEDB_VIOLATION_ATTACK_SCHOOL_HOSPITAL;
  EXPECT (q, "A-2");
  q.violation = CASEDB_VIOLATION_DENIAL_HUMANITARIAN_ACCESS;
  {
    g_autoptr(GListModel) m = casedb_store_list_cases (f->store, &q, &error);
    g_assert_cmpuint (n_items (m), ==, 0);
  }

  /* Dates are inclusive at both ends. */
  q = (CasedbQuery) CASEDB_QUERY_INIT;
  q.from = "2024-01-01";
  q.to = "2024-01-31";
  EXPECT (q, "A-1", "A-2");
  q.from = "2024-01-31";
  q.to = "2024-02-01";
  EXPECT (q, "A-2", "A-3");
  q.from = NULL;
  q.to = "2023-12-31";
  EXPECT (q, "B-5");
  q.to = "2024-13-45";
  {
    g_autoptr(GListModel) m = casedb_store_list_cases (f->store, &q, &error);
    g_assert_null (m);
    g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT);
    g_clear_error (&error);
  }

  q = (CasedbQuery) CASEDB_QUERY_INIT;
  q.region = "South";
  EXPECT (q, "B-5", "A-2");
  q.region = "south";
  {
    g_autoptr(GListModel) m = casedb_store_list_cases (f->store, &q, &error);
    g_assert_cmpuint (n_items (m), ==, 0);
  }

  q = (CasedbQuery) CASEDB_QUERY_INIT;
  q.verification = CASEDB_VERIFICATION_VERIFIED;
  EXPECT (q, "B-5", "A-2");
  q = (CasedbQuery) CASEDB_QUERY_INIT;
  q.draft = 1;
  EXPECT (q, "A-3");
  q.draft = 0;
  EXPECT (q, "B-5", "A-1", "A-2", "B_4");
  q = (CasedbQuery) CASEDB_QUERY_INIT;
  q.needs_followup = 1;
  EXPECT (q, "A-2", "B_4");

  /* Text: code, reference, summary; case-insensitive; % and _ are literal. */
  q = (CasedbQuery) CASEDB_QUERY_INIT;
  q.text = "shelling";
  EXPECT (q, "B-5", "A-2");
  q.text = "%";
  EXPECT (q, "A-3");
  q.text = "_";
  EXPECT (q, "B_4");
  q.text = "C-2023";
  EXPECT (q, "B-5");
  q.text = "A-";
  EXPECT (q, "A-1", "A-2", "A-3");

  /* Combined. */
  q = (CasedbQuery) CASEDB_QUERY_INIT;
  q.region = "North";
  q.violation = CASEDB_VIOLATION_ABDUCTION;
  q.from = "2024-01-01";
  EXPECT (q, "A-1");

  /* Counts ignore the query's violation. */
  {
    guint counts[CASEDB_N_VIOLATIONS];
    guint total = 0;

    q = (CasedbQuery) CASEDB_QUERY_INIT;
    q.violation = CASEDB_VIOLATION_ABDUCTION;
    q.from = "2024-01-01";
    g_assert_true (casedb_store_count_by_violation (f->store, &q, counts, &total, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (total, ==, 4);
    g_assert_cmpuint (counts[CASEDB_VIOLATION_ABDUCTION], ==, 1);
    g_assert_cmpuint (counts[CASEDB_VIOLATION_KILLING_MAIMING], ==, 2);
    g_assert_cmpuint (counts[CASEDB_VIOLATION_ATTACK_SCHOOL_HOSPITAL], ==, 1);
    g_assert_cmpuint (counts[CASEDB_VIOLATION_SEXUAL_VIOLENCE], ==, 1);
    g_assert_cmpuint (counts[CASEDB_VIOLATION_RECRUITMENT_USE], ==, 0);
  }

  /* Counts agree with the listed rows, whichever way the store counts them
   * (per violation combination for the sidebar filters, else summed). */
  for (guint variant = 0; variant < 6; variant++)
    {
      g_autoptr(GListModel) listed = NULL;
      guint counts[CASEDB_N_VIOLATIONS];
      guint expected[CASEDB_N_VIOLATIONS] = { 0 };
      guint total = 0;

      q = (CasedbQuery) CASEDB_QUERY_INIT;
      if (variant == 1)
        q.draft = 1;
      else if (variant == 2)
        q.draft = 0;
      else if (variant == 3)
        q.needs_followup = 1;
      else if (variant == 4)
        q.region = "North";
      else if (variant == 5)
        {
          q.text = "shelling";
          q.draft = 0;
        }
      listed = casedb_store_list_cases (f->store, &q, &error);
      g_assert_no_error (error);
      for (guint i = 0; i < g_list_model_get_n_items (listed); i++)
        {
          g_autoptr(CasedbCaseRow) row = g_list_model_get_item (listed, i);

          for (guint k = 0; k < CASEDB_N_VIOLATIONS; k++)
            expected[k] += (casedb_case_row_get_violation_mask (row) >> k) & 1;
        }
      g_assert_true (casedb_store_count_by_violation (f->store, &q, counts, &total, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (total, ==, g_list_model_get_n_items (listed));
      for (guint k = 0; k < CASEDB_N_VIOLATIONS; k++)
        g_assert_cmpuint (counts[k], ==, expected[k]);
    }

  {
    g_auto(GStrv) regions = casedb_store_list_regions (f->store, &error);
    const char *want[] = { "East", "North", "South", NULL };

    g_assert_no_error (error);
    g_assert_true (g_strv_equal ((const char * const *) regions, want));
  }

  {
    gboolean exists = FALSE;

    g_assert_true (casedb_store_has_reference (f->store, "B_4", &exists, &error));
    g_assert_true (exists);
    g_assert_true (casedb_store_has_reference (f->store, "B-4", &exists, &error));
    g_assert_false (exists);
  }
#undef EXPECT
}

static void
test_store_keep_sealed (Fixture *f, gconstpointer data)
{
  g_autoptr(CasedbCase) c = make_identity_case ("K-1", "2024-05-06", "Kept Name");
  g_autoptr(CasedbCase) coded = NULL;
  g_autoptr(CasedbCase) full = NULL;
  g_autoptr(GError) error = NULL;
  CasedbVictim *v;

  save_ok (f->store, c);

  coded = casedb_store_load_case (f->store, c->id, FALSE, &error);
  g_assert_no_error (error);
  g_free (coded->summary);
  coded->summary = g_strdup ("Edited without identities");
  ((CasedbVictim *) g_ptr_array_index (coded->victims, 0))->age = 12;
  casedb_case_add_victim (coded)->age = 3;
  save_ok (f->store, coded);

  full = casedb_store_load_case (f->store, c->id, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (full->summary, ==, "Edited without identities");
  g_assert_cmpstr (full->narrative, ==, "Narrative of what happened");
  g_assert_cmpstr (full->location_detail, ==, "Behind the mill, house 4");
  g_assert_cmpstr (full->consent.withhold_reason, ==, "Reprisal risk");
  g_assert_cmpuint (full->victims->len, ==, 2);
  v = g_ptr_array_index (full->victims, 0);
  g_assert_cmpstr (v->name, ==, "Kept Name");
  g_assert_cmpstr (v->guardian, ==, "Guardian of the child");
  g_assert_cmpint (v->age, ==, 12);
  g_assert_null (((CasedbVictim *) g_ptr_array_index (full->victims, 1))->name);

  /* With identities, clearing a field does clear it. */
  casedb_secure_clear (&full->narrative);
  save_ok (f->store, full);
  {
    g_autoptr(CasedbCase) back = casedb_store_load_case (f->store, c->id, TRUE, &error);

    g_assert_null (back->narrative);
    g_assert_cmpstr (back->location_detail, ==, "Behind the mill, house 4");
  }
}

static gboolean
user_listed (CasedbStore *store, const char *name, CasedbRole *role)
{
  g_autoptr(GPtrArray) users = casedb_store_list_users (store, NULL);

  g_assert_nonnull (users);
  for (guint i = 0; i < users->len; i++)
    {
      CasedbUserInfo *info = g_ptr_array_index (users, i);

      if (g_strcmp0 (info->name, name) == 0)
        {
          g_assert_nonnull (info->created);
          g_assert_nonnull (info->password_changed);
          if (role != NULL)
            *role = info->role;
          return TRUE;
        }
    }
  return FALSE;
}

static void
test_store_users (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  CasedbRole role;

  g_assert_true (user_listed (f->store, "admin", &role));
  g_assert_cmpint (role, ==, CASEDB_ROLE_SUPERVISOR);

  casedb_test_add_user (f->store, "bob", CASEDB_ROLE_CASEWORKER, "bob-pw");
  g_assert_true (user_listed (f->store, "bob", &role));
  g_assert_cmpint (role, ==, CASEDB_ROLE_CASEWORKER);
  g_assert_false (casedb_store_add_user (f->store, "bob", CASEDB_ROLE_ANALYST, "x", &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_EXISTS);
  g_clear_error (&error);

  /* Role change: bob becomes an analyst and loses identity access. */
  g_assert_true (casedb_store_set_user_role (f->store, "bob", CASEDB_ROLE_ANALYST, &error));
  g_assert_no_error (error);
  g_assert_true (user_listed (f->store, "bob", &role));
  g_assert_cmpint (role, ==, CASEDB_ROLE_ANALYST);
  {
    g_autoptr(CasedbStore) bob = open_ok (f->path, "bob", "bob-pw");

    g_assert_cmpint (casedb_store_get_role (bob), ==, CASEDB_ROLE_ANALYST);
    g_assert_false (casedb_store_can (bob, CASEDB_PERM_EDIT_CASES));
  }
  g_assert_true (casedb_store_set_user_role (f->store, "bob", CASEDB_ROLE_SUPERVISOR, &error));
  {
    g_autoptr(CasedbStore) bob = open_ok (f->path, "bob", "bob-pw");

    g_assert_cmpint (casedb_store_get_role (bob), ==, CASEDB_ROLE_SUPERVISOR);
    g_assert_true (casedb_store_can (bob, CASEDB_PERM_READ_IDENTITY));
  }

  /* Reset. */
  g_assert_true (casedb_store_reset_password (f->store, "bob", "new-bob-pw", &error));
  g_assert_no_error (error);
  open_fails (f->path, "bob", "bob-pw", CASEDB_ERROR_WRONG_PASSWORD);
  g_object_unref (open_ok (f->path, "bob", "new-bob-pw"));

  /* Remove: not yourself, not the last supervisor. */
  g_assert_false (casedb_store_remove_user (f->store, "admin", &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_false (casedb_store_remove_user (f->store, "nobody", &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (casedb_store_remove_user (f->store, "bob", &error));
  g_assert_no_error (error);
  g_assert_false (user_listed (f->store, "bob", NULL));
  open_fails (f->path, "bob", "new-bob-pw", CASEDB_ERROR_WRONG_PASSWORD);

  /* The last supervisor cannot be removed or demoted by another supervisor. */
  casedb_test_add_user (f->store, "sue", CASEDB_ROLE_SUPERVISOR, "sue-pw");
  {
    g_autoptr(CasedbStore) sue = open_ok (f->path, "sue", "sue-pw");

    g_assert_true (casedb_store_remove_user (sue, "admin", &error));
    g_assert_no_error (error);
    casedb_test_add_user (sue, "carl", CASEDB_ROLE_CASEWORKER, "carl-pw");
    g_assert_false (casedb_store_set_user_role (sue, "sue", CASEDB_ROLE_ANALYST, &error));
    g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT);
    g_clear_error (&error);
  }
  {
    g_autoptr(CasedbStore) carl = open_ok (f->path, "carl", "carl-pw");

    g_assert_false (casedb_store_remove_user (carl, "sue", &error));
    g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_PERMITTED);
    g_clear_error (&error);
    g_assert_false (casedb_store_reset_password (carl, "sue", "x", &error));
    g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_PERMITTED);
    g_clear_error (&error);
  }
}

static void
test_store_change_password (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  casedb_test_add_user (f->store, "ana", CASEDB_ROLE_ANALYST, "ana-pw");
  {
    g_autoptr(CasedbStore) an = open_ok (f->path, "ana", "ana-pw");

    g_assert_false (casedb_store_change_password (an, "not-it", "ana-new", &error));
    g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_WRONG_PASSWORD);
    g_clear_error (&error);
    g_assert_true (casedb_store_change_password (an, "ana-pw", "ana-new", &error));
    g_assert_no_error (error);
  }
  open_fails (f->path, "ana", "ana-pw", CASEDB_ERROR_WRONG_PASSWORD);
  g_object_unref (open_ok (f->path, "ana", "ana-new"));

  /* Offline, as casedb-tool passwd does it (with the default cost). */
  g_clear_object (&f->store);
  g_assert_false (casedb_store_change_password_offline (f->path, "ana", "wrong", "x", &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_WRONG_PASSWORD);
  g_clear_error (&error);
  g_assert_true (casedb_store_change_password_offline (f->path, "ana", "ana-new", "ana-third", &error));
  g_assert_no_error (error);
  open_fails (f->path, "ana", "ana-new", CASEDB_ERROR_WRONG_PASSWORD);
  {
    g_autoptr(CasedbStore) admin = open_ok (f->path, "admin", "admin-pw");
    g_autoptr(GPtrArray) audit = casedb_store_list_audit (admin, NULL);
    guint n_changes = 0;

    g_object_unref (open_ok (f->path, "ana", "ana-third"));
    for (guint i = 0; i < audit->len; i++)
      {
        CasedbAuditEntry *e = g_ptr_array_index (audit, i);

        if (g_strcmp0 (e->action, "password_change") == 0)
          {
            g_assert_cmpstr (e->user, ==, "ana");
            n_changes++;
          }
      }
    g_assert_cmpuint (n_changes, ==, 2);
  }
}

static void
test_store_rekey (Fixture *f, gconstpointer data)
{
  g_autoptr(CasedbCase) c = make_identity_case ("R-1", "2024-05-06", "Rekey Child");
  g_autoptr(GError) error = NULL;
  g_autofree char *perp = NULL;
  char *name;
  guint n = 0;

  save_ok (f->store, c);
  perp = casedb_store_code_for_name (f->store, 'P', "Armed Group Seven", &error);
  g_assert_no_error (error);
  casedb_test_add_user (f->store, "carol", CASEDB_ROLE_CASEWORKER, "carol-pw");
  casedb_test_add_user (f->store, "ana", CASEDB_ROLE_ANALYST, "ana-pw");

  g_assert_true (casedb_store_rekey (f->store, &error));
  g_assert_no_error (error);

  /* The same store keeps working. */
  {
    g_autoptr(CasedbCase) back = casedb_store_load_case (f->store, c->id, TRUE, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (back->narrative, ==, "Narrative of what happened");
  }
  g_clear_object (&f->store);

  {
    g_autoptr(CasedbStore) cw = open_ok (f->path, "carol", "carol-pw");
    g_autoptr(CasedbCase) back = casedb_store_load_case (cw, c->id, TRUE, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (((CasedbVictim *) g_ptr_array_index (back->victims, 0))->name, ==, "Rekey Child");
    g_assert_cmpstr (back->consent.withhold_from, ==, "The local commander");
    name = casedb_store_name_for_code (cw, perp, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (name, ==, "Armed Group Seven");
    casedb_secure_free (name);
    /* The index was rebuilt under the new key: same name, same code. */
    {
      g_autofree char *again = casedb_store_code_for_name (cw, 'P', "armed  group seven", &error);

      g_assert_no_error (error);
      g_assert_cmpstr (again, ==, perp);
    }
  }
  {
    g_autoptr(CasedbStore) an = open_ok (f->path, "ana", "ana-pw");
    g_autoptr(GListModel) list = casedb_store_list_cases (an, NULL, &error);

    g_assert_cmpuint (n_items (list), ==, 1);
  }
  {
    g_autoptr(CasedbStore) admin = open_ok (f->path, "admin", "admin-pw");

    g_assert_true (casedb_store_verify_audit (admin, &n, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (n, >, 5);
  }
}

static CasedbKeyring *
unlock_file (const char *keys_path, const char *user, const char *password)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CasedbKeyslots) ks = casedb_keyslots_load (keys_path, &error);
  CasedbKeyring *keys;

  g_assert_no_error (error);
  keys = casedb_keyslots_unlock (ks, user, password, FALSE, NULL, &error);
  g_assert_no_error (error);
  return keys;
}

/* Writes @keys_path as @old_keys with @pending staged: the key file as a
 * rekey leaves it between staging and committing. */
static void
write_staged (const char *keys_path, const char *old_keys, const CasedbKeyring *pending)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CasedbKeyslots) ks = casedb_keyslots_load_from_data (old_keys, strlen (old_keys),
                                                                 keys_path, &error);

  g_assert_no_error (error);
  g_assert_true (casedb_keyslots_stage_keyring (ks, pending, &error));
  g_assert_true (casedb_keyslots_save (ks, keys_path, &error));
  g_assert_no_error (error);
}

static void
raw_rekey (const char *path, const guint8 *from, const guint8 *to)
{
  char key[68];
  sqlite3 *db = NULL;

  key[0] = 'x';
  key[1] = '\'';
  key[66] = '\'';
  key[67] = '\0';
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  casedb_hex_encode (from, CASEDB_KEY_LEN, key + 2);
  key[66] = '\'';
  g_assert_cmpint (sqlite3_key (db, key, 67), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA cipher_page_size = " G_STRINGIFY (CASEDB_CIPHER_PAGE_SIZE) ";"
                                     "SELECT count(*) FROM sqlite_master;", NULL, NULL, NULL), ==, SQLITE_OK);
  casedb_hex_encode (to, CASEDB_KEY_LEN, key + 2);
  key[66] = '\'';
  g_assert_cmpint (sqlite3_rekey (db, key, 67), ==, SQLITE_OK);
  casedb_secure_wipe (key, sizeof key);
  sqlite3_close (db);
}

static gboolean
keys_file_has_pending (const char *keys_path)
{
  g_autoptr(CasedbKeyslots) ks = casedb_keyslots_load (keys_path, NULL);

  g_assert_nonnull (ks);
  return casedb_keyslots_has_pending (ks);
}

static void
assert_identity_reads (const char *path, gint64 id, const char *name)
{
  g_autoptr(CasedbStore) admin = open_ok (path, "admin", "admin-pw");
  g_autoptr(GError) error = NULL;
  g_autoptr(CasedbCase) back = casedb_store_load_case (admin, id, TRUE, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (((CasedbVictim *) g_ptr_array_index (back->victims, 0))->name, ==, name);
  g_assert_true (casedb_store_verify_audit (admin, NULL, &error));
  g_assert_no_error (error);
}

/* Each crash point of a rekey leaves files that the next open recovers. */
static void
test_store_rekey_recovery (Fixture *f, gconstpointer data)
{
  g_autoptr(CasedbCase) c = make_identity_case ("R-1", "2024-05-06", "Recovered Child");
  g_autofree char *keys_path = casedb_store_keyslots_path (f->path);
  g_autofree char *k1_file = NULL;
  g_autofree char *k1_db = NULL;
  g_autofree char *k2_db = NULL;
  g_autoptr(CasedbKeyring) k1 = NULL;
  g_autoptr(CasedbKeyring) k2 = NULL;
  g_autoptr(GError) error = NULL;
  gsize k1_db_len, k2_db_len;

  save_ok (f->store, c);
  casedb_test_add_user (f->store, "ana", CASEDB_ROLE_ANALYST, "ana-pw");
  g_clear_object (&f->store);

  g_assert_true (g_file_get_contents (keys_path, &k1_file, NULL, NULL));
  g_assert_true (g_file_get_contents (f->path, &k1_db, &k1_db_len, NULL));
  k1 = unlock_file (keys_path, "admin", "admin-pw");
  {
    g_autoptr(CasedbStore) admin = open_ok (f->path, "admin", "admin-pw");

    g_assert_true (casedb_store_rekey (admin, &error));
    g_assert_no_error (error);
  }
  g_assert_false (keys_file_has_pending (keys_path));
  g_assert_true (g_file_get_contents (f->path, &k2_db, &k2_db_len, NULL));
  k2 = unlock_file (keys_path, "admin", "admin-pw");
  g_assert_false (casedb_memeq (k1->data_key, k2->data_key, CASEDB_KEY_LEN));
  g_assert_false (casedb_memeq (k1->identity_key, k2->identity_key, CASEDB_KEY_LEN));
  g_assert_true (casedb_memeq (k1->audit_key, k2->audit_key, CASEDB_KEY_LEN));

  /* 1. Staged, then a crash before the re-seal committed: the database is
   *    all old; the pending keyring is dropped. */
  g_assert_true (g_file_set_contents (f->path, k1_db, k1_db_len, NULL));
  write_staged (keys_path, k1_file, k2);
  g_assert_true (keys_file_has_pending (keys_path));
  g_object_unref (open_ok (f->path, "ana", "ana-pw"));
  g_assert_false (keys_file_has_pending (keys_path));
  assert_identity_reads (f->path, c->id, "Recovered Child");

  /* 2. Re-sealed but the pages not yet re-encrypted: seals under K2, pages
   *    under K1.  Even an analyst's open finishes the re-encryption. */
  g_assert_true (g_file_set_contents (f->path, k2_db, k2_db_len, NULL));
  raw_rekey (f->path, k2->data_key, k1->data_key);
  write_staged (keys_path, k1_file, k2);
  g_object_unref (open_ok (f->path, "ana", "ana-pw"));
  g_assert_false (keys_file_has_pending (keys_path));
  {
    g_autoptr(CasedbKeyring) now = unlock_file (keys_path, "admin", "admin-pw");

    g_assert_true (casedb_memeq (now->data_key, k2->data_key, CASEDB_KEY_LEN));
  }
  assert_identity_reads (f->path, c->id, "Recovered Child");

  /* 3. Re-encrypted but the slots not committed. */
  g_assert_true (g_file_set_contents (f->path, k2_db, k2_db_len, NULL));
  write_staged (keys_path, k1_file, k2);
  assert_identity_reads (f->path, c->id, "Recovered Child");
  g_assert_false (keys_file_has_pending (keys_path));

  /* The new database with the old slots and nothing pending: damaged. */
  g_assert_true (g_file_set_contents (f->path, k2_db, k2_db_len, NULL));
  g_assert_true (g_file_set_contents (keys_path, k1_file, -1, NULL));
  open_fails (f->path, "admin", "admin-pw", CASEDB_ERROR_DAMAGED);
}

static void
test_store_swapped_value (Fixture *f, gconstpointer data)
{
  g_autoptr(CasedbCase) a = make_identity_case ("S-1", "2024-05-06", "First Child");
  g_autoptr(CasedbCase) b = make_identity_case ("S-2", "2024-05-07", "Second Child");
  g_autoptr(CasedbCase) ok_case = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db;
  char *errmsg = NULL;
  int rc;

  save_ok (f->store, a);
  save_ok (f->store, b);

  db = casedb_store_get_db_handle (f->store);
  g_assert_nonnull (db);
  /* Copy first victim's sealed name onto the second victim. */
  rc = sqlite3_exec (db,
                     "UPDATE victims SET name = (SELECT name FROM victims WHERE code = 'V-000001')"
                     " WHERE code = 'V-000002';"
                     "UPDATE cases SET narrative = (SELECT narrative FROM cases WHERE reference = 'S-1')"
                     " WHERE reference = 'S-2';",
                     NULL, NULL, &errmsg);
  g_assert_cmpint (rc, ==, SQLITE_OK);

  g_assert_null (casedb_store_load_case (f->store, b->id, TRUE, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED);
  g_clear_error (&error);
  g_assert_null (casedb_store_get_victim_names (f->store, b->id, FALSE, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED);
  g_clear_error (&error);

  /* Also a field moved within one record (name → guardian). */
  rc = sqlite3_exec (db, "UPDATE victims SET guardian = name WHERE code = 'V-000001';", NULL, NULL, NULL);
  g_assert_cmpint (rc, ==, SQLITE_OK);
  g_assert_null (casedb_store_load_case (f->store, a->id, TRUE, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED);
  g_clear_error (&error);

  /* The coded view is still available. */
  ok_case = casedb_store_load_case (f->store, b->id, FALSE, &error);
  g_assert_no_error (error);
}

static char *
pragma_value (sqlite3 *db, const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return value;
}

static void
test_store_pragmas (Fixture *f, gconstpointer data)
{
  g_autoptr(CasedbStore) again = NULL;
  sqlite3 *db = casedb_store_get_db_handle (f->store);
  g_autofree char *secure_delete = pragma_value (db, "PRAGMA secure_delete");
  g_autofree char *page_size = pragma_value (db, "PRAGMA cipher_page_size");
  g_autofree char *foreign_keys = pragma_value (db, "PRAGMA foreign_keys");
  g_autofree char *temp_store = pragma_value (db, "PRAGMA temp_store");
  g_autofree char *journal = pragma_value (db, "PRAGMA journal_mode");
  g_autofree char *sync = pragma_value (db, "PRAGMA synchronous");
  g_autofree char *version = pragma_value (db, "PRAGMA cipher_version");
  g_autofree char *cache = pragma_value (db, "PRAGMA cache_size");

  /* SQLCipher ignores unknown pragmas: prove the ones we rely on took.  The
   * page cache of a small database stays at 32 MiB (the app's memory). */
  g_assert_cmpstr (cache, ==, "-32768");
  g_assert_cmpstr (version, !=, NULL);
  g_assert_cmpstr (secure_delete, ==, "1");
  g_assert_cmpstr (page_size, ==, G_STRINGIFY (CASEDB_CIPHER_PAGE_SIZE));
  g_assert_cmpstr (foreign_keys, ==, "1");
  g_assert_cmpstr (temp_store, ==, "2");
  g_assert_cmpstr (journal, ==, "delete");
  g_assert_cmpstr (sync, ==, "2");

  /* The same after a reopen. */
  again = open_ok (f->path, "admin", "admin-pw");
  db = casedb_store_get_db_handle (again);
  g_clear_pointer (&page_size, g_free);
  g_clear_pointer (&secure_delete, g_free);
  page_size = pragma_value (db, "PRAGMA cipher_page_size");
  secure_delete = pragma_value (db, "PRAGMA secure_delete");
  g_assert_cmpstr (page_size, ==, G_STRINGIFY (CASEDB_CIPHER_PAGE_SIZE));
  g_assert_cmpstr (secure_delete, ==, "1");

  /* And the file really has pages of that size, as DB.keys records. */
  {
    GStatBuf st;

    g_assert_cmpint (g_stat (f->path, &st), ==, 0);
    g_assert_cmpint (st.st_size % CASEDB_CIPHER_PAGE_SIZE, ==, 0);
  }
  {
    g_autofree char *keys_path = casedb_store_keyslots_path (f->path);
    g_autoptr(CasedbKeyslots) keys = casedb_keyslots_load (keys_path, NULL);

    g_assert_nonnull (keys);
    g_assert_cmpint (json_object_get_int_member (casedb_keyslots_get_cipher (keys), "page_size"),
                     ==, CASEDB_CIPHER_PAGE_SIZE);
  }
}

/* A database made with 4096-byte pages (before schema 5) opens with the
 * size its DB.keys records, and keeps it. */
static void
test_store_legacy_page_size (Fixture *f, gconstpointer data)
{
  g_autoptr(CasedbCase) c = casedb_test_make_case ("OLD-1", "2023-03-03", CASEDB_VIOLATION_ABDUCTION);
  g_autofree char *dir = g_path_get_dirname (f->path);
  g_autofree char *legacy = g_build_filename (dir, "legacy.casedb", NULL);
  g_autofree char *keys_path = casedb_store_keyslots_path (f->path);
  g_autofree char *sql = NULL;
  g_autofree char *page_size = NULL;
  g_autoptr(CasedbKeyslots) ks = NULL;
  g_autoptr(CasedbStore) again = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db = casedb_store_get_db_handle (f->store);

  save_ok (f->store, c);
  /* The store opens without SQLITE_OPEN_CREATE, and so does ATTACH. */
  g_assert_true (g_file_set_contents (legacy, "", 0, NULL));
  /* Without KEY, SQLCipher gives the attached copy the main database's key. */
  sql = g_strdup_printf ("ATTACH DATABASE '%s' AS legacy;"
                         "PRAGMA legacy.cipher_page_size = 4096;"
                         "SELECT sqlcipher_export ('legacy');"
                         "PRAGMA legacy.user_version = %d;"
                         "DETACH DATABASE legacy;",
                         legacy, casedb_store_get_schema_version (f->store));
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  g_clear_object (&f->store);
  g_assert_cmpint (g_rename (legacy, f->path), ==, 0);

  ks = casedb_keyslots_load (keys_path, &error);
  g_assert_no_error (error);
  json_object_set_int_member (casedb_keyslots_get_cipher (ks), "page_size", 4096);
  g_assert_true (casedb_keyslots_save (ks, keys_path, &error));
  g_assert_no_error (error);

  again = open_ok (f->path, "admin", "admin-pw");
  page_size = pragma_value (casedb_store_get_db_handle (again), "PRAGMA cipher_page_size");
  g_assert_cmpstr (page_size, ==, "4096");
  g_assert_cmpint (casedb_test_sql_int (again, "SELECT count(*) FROM cases"), ==, 1);
}

/* The analyst threat: the data key opens the pages, not the identities. */
static void
test_store_raw_key (Fixture *f, gconstpointer data)
{
  g_autoptr(CasedbCase) c = make_identity_case ("RAW-1", "2024-05-06", "Hidden Name");
  g_autofree char *keys_path = casedb_store_keyslots_path (f->path);
  g_autoptr(CasedbKeyslots) ks = NULL;
  g_autoptr(CasedbKeyring) keys = NULL;
  g_autoptr(GError) error = NULL;
  char key_str[2 + 64 + 2];
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint n_blobs = 0;

  save_ok (f->store, c);
  casedb_test_add_user (f->store, "ana", CASEDB_ROLE_ANALYST, "ana-pw");
  g_clear_object (&f->store);

  ks = casedb_keyslots_load (keys_path, &error);
  g_assert_no_error (error);
  keys = casedb_keyslots_unlock (ks, "ana", "ana-pw", FALSE, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (keys->has_identity_key);

  key_str[0] = 'x';
  key_str[1] = '\'';
  casedb_hex_encode (keys->data_key, CASEDB_KEY_LEN, key_str + 2);
  key_str[66] = '\'';
  key_str[67] = '\0';

  g_assert_cmpint (sqlite3_open_v2 (f->path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_key (db, key_str, 67), ==, SQLITE_OK);
  casedb_secure_wipe (key_str, sizeof key_str);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA cipher_page_size = " G_STRINGIFY (CASEDB_CIPHER_PAGE_SIZE) ";", NULL, NULL, NULL), ==, SQLITE_OK);

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT c.summary, c.narrative, v.name, v.guardian"
                                           " FROM cases c JOIN victims v ON v.case_id = c.id", -1,
                                       &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  /* Coded fields are readable... */
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "Coded summary");
  /* ...identity fields are ciphertext. */
  for (int col = 1; col <= 3; col++)
    {
      const guint8 *blob = sqlite3_column_blob (stmt, col);
      int len = sqlite3_column_bytes (stmt, col);

      g_assert_cmpint (sqlite3_column_type (stmt, col), ==, SQLITE_BLOB);
      g_assert_cmpint (len, >=, CASEDB_SEAL_OVERHEAD);
      g_assert_null (memmem (blob, len, "Hidden", 6));
      g_assert_null (memmem (blob, len, "Narrative", 9));
      g_assert_null (memmem (blob, len, "Guardian", 8));
      n_blobs++;
    }
  g_assert_cmpuint (n_blobs, ==, 3);
  sqlite3_finalize (stmt);

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT name_sealed FROM codebook", -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  /* A wrong raw key does not. */
  g_assert_cmpint (sqlite3_open_v2 (f->path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_key (db, "x'00000000000000000000000000000000"
                                    "00000000000000000000000000000000'", 67), ==, SQLITE_OK);
  sqlite3_exec (db, "PRAGMA cipher_page_size = " G_STRINGIFY (CASEDB_CIPHER_PAGE_SIZE) ";", NULL, NULL, NULL);
  g_assert_cmpint (sqlite3_exec (db, "SELECT count(*) FROM sqlite_master;", NULL, NULL, NULL), ==, SQLITE_NOTADB);
  sqlite3_close (db);
}

/* A batch keeps its writes together: dropped, nothing of it stays; kept,
 * everything does; and key or password changes wait until it is over. */
static void
test_store_batch (Fixture *f, gconstpointer data)
{
  g_autoptr(CasedbCase) c = casedb_test_make_case ("B-1", "2024-01-01", CASEDB_VIOLATION_ABDUCTION);
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  g_autofree char *again = NULL;

  g_assert_true (casedb_store_begin_batch (f->store, &error));
  g_assert_no_error (error);
  code = casedb_store_code_for_name (f->store, 'P', "Armed group (fictional)", &error);
  g_assert_no_error (error);
  save_ok (f->store, c);
  g_assert_false (casedb_store_rekey (f->store, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_false (casedb_store_change_password (f->store, "admin-pw", "admin-new-pw", &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_true (casedb_store_end_batch (f->store, FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpint (casedb_test_sql_int (f->store, "SELECT count(*) FROM codebook"), ==, 0);
  g_assert_cmpint (casedb_test_sql_int (f->store, "SELECT count(*) FROM cases"), ==, 0);
  g_assert_true (sqlite3_get_autocommit (casedb_store_get_db_handle (f->store)));

  /* Outside the batch the password change goes through. */
  g_assert_true (casedb_store_change_password (f->store, "admin-pw", "admin-new-pw", &error));
  g_assert_no_error (error);

  c->id = 0;
  g_assert_true (casedb_store_begin_batch (f->store, &error));
  again = casedb_store_code_for_name (f->store, 'P', "Armed group (fictional)", &error);
  g_assert_no_error (error);
  save_ok (f->store, c);
  g_assert_true (casedb_store_end_batch (f->store, TRUE, &error));
  g_assert_no_error (error);
  g_assert_cmpint (casedb_test_sql_int (f->store, "SELECT count(*) FROM codebook"), ==, 1);
  g_assert_cmpint (casedb_test_sql_int (f->store, "SELECT count(*) FROM cases"), ==, 1);
  /* The dropped batch handed its code out again: no gap tells anyone a
   * name was ever entered. */
  g_assert_cmpstr (again, ==, code);
}

static char *
rekey_due (CasedbStore *store)
{
  g_autoptr(GError) error = NULL;
  char *since = NULL;

  g_assert_true (casedb_store_get_rekey_due (store, &since, &error));
  g_assert_no_error (error);
  return since;
}

/* Taking keys away (a removal, a move to analyst) makes a rekey due until
 * one is done; giving keys does not. */
static void
test_store_rekey_due (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *since = NULL;
  g_autofree char *still = NULL;
  char *none;

  casedb_test_add_user (f->store, "karim", CASEDB_ROLE_CASEWORKER, "karim-pw");
  casedb_test_add_user (f->store, "lina", CASEDB_ROLE_ANALYST, "lina-pw");
  g_assert_null ((none = rekey_due (f->store)));

  g_assert_true (casedb_store_set_user_role (f->store, "lina", CASEDB_ROLE_CASEWORKER, &error));
  g_assert_no_error (error);
  g_assert_null ((none = rekey_due (f->store)));
  g_assert_true (casedb_store_set_user_role (f->store, "karim", CASEDB_ROLE_SUPERVISOR, &error));
  g_assert_no_error (error);
  g_assert_null ((none = rekey_due (f->store)));

  /* Supervisor → analyst: the identity key must change. */
  g_assert_true (casedb_store_set_user_role (f->store, "karim", CASEDB_ROLE_ANALYST, &error));
  g_assert_no_error (error);
  since = rekey_due (f->store);
  g_assert_nonnull (since);
  g_assert_true (g_str_has_prefix (since, "20"));

  /* A later removal keeps the first time; it survives closing. */
  g_assert_true (casedb_store_remove_user (f->store, "lina", &error));
  g_assert_no_error (error);
  g_clear_object (&f->store);
  f->store = open_ok (f->path, "admin", "admin-pw");
  still = rekey_due (f->store);
  g_assert_cmpstr (still, ==, since);

  g_assert_true (casedb_store_rekey (f->store, &error));
  g_assert_no_error (error);
  g_assert_null ((none = rekey_due (f->store)));

  g_assert_true (casedb_store_remove_user (f->store, "karim", &error));
  g_assert_no_error (error);
  g_clear_pointer (&still, g_free);
  still = rekey_due (f->store);
  g_assert_nonnull (still);
}

static void
test_store_migration (Fixture *f, gconstpointer data)
{
  g_autoptr(CasedbStore) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CasedbCase) c = casedb_test_make_case ("M-1", "2024-01-01", CASEDB_VIOLATION_ABDUCTION);
  sqlite3 *db = casedb_store_get_db_handle (f->store);
  g_autofree char *n_index = NULL;
  int current = casedb_store_get_schema_version (f->store);

  g_assert_cmpint (current, >=, 2);
  save_ok (f->store, c);

  /* Turn the database back into a version 1 database (no list indexes). */
  g_assert_cmpint (sqlite3_exec (db,
                                 "DROP INDEX cases_region; DROP INDEX violations_kind;"
                                 " PRAGMA user_version = 1;",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  g_clear_object (&f->store);

  again = open_ok (f->path, "admin", "admin-pw");
  g_assert_cmpint (casedb_store_get_schema_version (again), ==, current);
  n_index = pragma_value (casedb_store_get_db_handle (again),
                          "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master"
                          " WHERE type = 'index' AND name IN ('cases_incident_date', 'cases_region',"
                          " 'cases_verification', 'cases_draft', 'violations_kind') ORDER BY name)");
  /* Version 2 created five, version 5 dropped the three no query reads. */
  g_assert_cmpstr (n_index, ==, "cases_region violations_kind");
  {
    g_autoptr(GListModel) list = casedb_store_list_cases (again, NULL, &error);

    g_assert_cmpuint (n_items (list), ==, 1);
  }
  g_clear_object (&again);

  /* A version 3 database gains the covering indexes of version 4 (case
   * list, sidebar counts, statistics). */
  {
    g_autoptr(CasedbStore) s = open_ok (f->path, "admin", "admin-pw");
    g_autofree char *n_v4 = NULL;
    guint counts[CASEDB_N_VIOLATIONS];
    guint total = 0;

    g_assert_cmpint (current, >=, 4);
    g_assert_cmpint (sqlite3_exec (casedb_store_get_db_handle (s),
                                   "DROP INDEX cases_list; DROP INDEX cases_counts;"
                                   " DROP INDEX victims_sex; PRAGMA user_version = 3;",
                                   NULL, NULL, NULL), ==, SQLITE_OK);
    g_clear_object (&s);
    s = open_ok (f->path, "admin", "admin-pw");
    g_assert_cmpint (casedb_store_get_schema_version (s), ==, current);
    n_v4 = pragma_value (casedb_store_get_db_handle (s),
                         "SELECT count(*) FROM sqlite_master WHERE type = 'index'"
                         " AND name IN ('cases_list', 'cases_counts', 'victims_sex')");
    g_assert_cmpstr (n_v4, ==, "3");
    g_assert_true (casedb_store_count_by_violation (s, NULL, counts, &total, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (total, ==, 1);
    g_assert_cmpuint (counts[CASEDB_VIOLATION_ABDUCTION], ==, 1);
  }

  /* A version 4 database loses the one-column indexes that only slowed
   * every insert down, and its filters still answer. */
  {
    g_autoptr(CasedbStore) s = open_ok (f->path, "admin", "admin-pw");
    CasedbQuery q = CASEDB_QUERY_INIT;
    g_autofree char *n_v5 = NULL;

    g_assert_cmpint (current, >=, 5);
    g_assert_cmpint (sqlite3_exec (casedb_store_get_db_handle (s),
                                   "CREATE INDEX cases_incident_date ON cases (incident_date);"
                                   "CREATE INDEX cases_verification ON cases (verification);"
                                   "CREATE INDEX cases_draft ON cases (draft);"
                                   "PRAGMA user_version = 4;",
                                   NULL, NULL, NULL), ==, SQLITE_OK);
    g_clear_object (&s);
    s = open_ok (f->path, "admin", "admin-pw");
    g_assert_cmpint (casedb_store_get_schema_version (s), ==, current);
    n_v5 = pragma_value (casedb_store_get_db_handle (s),
                         "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN"
                         " ('cases_incident_date', 'cases_verification', 'cases_draft')");
    g_assert_cmpstr (n_v5, ==, "0");
    q.from = "2024-01-01";
    q.to = "2024-01-31";
    q.draft = 0;
    q.verification = c->verification;
    {
      g_autoptr(GListModel) list = casedb_store_list_cases (s, &q, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (n_items (list), ==, 1);
    }
  }

  /* A database from a newer CaseDB is refused, not half-read. */
  {
    g_autoptr(CasedbStore) s = open_ok (f->path, "admin", "admin-pw");

    g_assert_cmpint (sqlite3_exec (casedb_store_get_db_handle (s), "PRAGMA user_version = 99;",
                                   NULL, NULL, NULL), ==, SQLITE_OK);
  }
  g_assert_null (casedb_store_open (f->path, "admin", "admin-pw", &error));
  g_assert_nonnull (error);
}

static void
test_store_db_id_mismatch (void)
{
  g_autofree char *dir = casedb_test_mkdtemp ();
  g_autofree char *a = g_build_filename (dir, "a.db", NULL);
  g_autofree char *b = g_build_filename (dir, "b.db", NULL);
  g_autofree char *a_keys = casedb_store_keyslots_path (a);
  g_autofree char *b_keys = casedb_store_keyslots_path (b);
  g_autofree char *contents = NULL;
  gsize len;

  g_object_unref (casedb_test_create_store (a, "admin", "pw"));
  g_object_unref (casedb_test_create_store (b, "admin", "pw"));

  /* b's key file next to a's database: same user and password, other keys. */
  g_assert_true (g_file_get_contents (b_keys, &contents, &len, NULL));
  g_assert_true (g_file_set_contents (a_keys, contents, len, NULL));
  open_fails (a, "admin", "pw", CASEDB_ERROR_DAMAGED);
  casedb_test_rmtree (dir);
}

static void
test_store_codebook (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *p1 = casedb_store_code_for_name (f->store, 'P', "Northern Brigade", &error);
  g_autofree char *p2 = casedb_store_code_for_name (f->store, 'P', "  northern   BRIGADE ", &error);
  g_autofree char *p3 = casedb_store_code_for_name (f->store, 'P', "Southern Brigade", &error);
  g_autofree char *m1 = casedb_store_code_for_name (f->store, 'M', "Northern Brigade", &error);
  char *name;

  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (p1, "P-"));
  g_assert_cmpstr (p1, ==, p2);
  g_assert_cmpstr (p1, !=, p3);
  g_assert_true (g_str_has_prefix (m1, "M-"));

  name = casedb_store_name_for_code (f->store, p1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (name, ==, "Northern Brigade");
  g_assert_true (casedb_secure_is_secure (name));
  casedb_secure_free (name);

  g_assert_null (casedb_store_name_for_code (f->store, "P-9999", &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (casedb_store_code_for_name (f->store, 'X', "Someone", &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_null (casedb_store_code_for_name (f->store, 'P', "   ", &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  casedb_test_add_user (f->store, "ana", CASEDB_ROLE_ANALYST, "ana-pw");
  {
    g_autoptr(CasedbStore) an = open_ok (f->path, "ana", "ana-pw");

    g_assert_null (casedb_store_name_for_code (an, p1, &error));
    g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_PERMITTED);
    g_clear_error (&error);
    g_assert_null (casedb_store_code_for_name (an, 'P', "Northern Brigade", &error));
    g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_PERMITTED);
    g_clear_error (&error);
  }
}

static void
test_store_search_identities (Fixture *f, gconstpointer data)
{
  g_autoptr(CasedbCase) a = make_identity_case ("S-1", "2024-05-06", "Amira Ḩassan");
  g_autoptr(CasedbCase) b = make_identity_case ("S-2", "2024-05-07", "Yusuf Kareem");
  g_autoptr(CasedbCase) c = casedb_test_make_case ("S-3", "2024-05-08", CASEDB_VIOLATION_ABDUCTION);
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GPtrArray) audit = NULL;
  g_autoptr(GError) error = NULL;
  CasedbVictim *v;

  v = casedb_case_add_victim (c);
  v->guardian = casedb_secure_strdup ("Mother: AMIRA Noor");
  casedb_case_add_victim (c)->name = casedb_secure_strdup ("Second Victim");
  save_ok (f->store, a);
  save_ok (f->store, b);
  save_ok (f->store, c);

  ids = casedb_store_search_identities (f->store, "amira", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 2);
  g_assert_cmpint (g_array_index (ids, gint64, 0), ==, a->id);
  g_assert_cmpint (g_array_index (ids, gint64, 1), ==, c->id);
  g_clear_pointer (&ids, g_array_unref);

  ids = casedb_store_search_identities (f->store, "ḩASSAN", &error);
  g_assert_cmpuint (ids->len, ==, 1);
  g_clear_pointer (&ids, g_array_unref);
  ids = casedb_store_search_identities (f->store, "nobody", &error);
  g_assert_cmpuint (ids->len, ==, 0);

  names = casedb_store_get_victim_names (f->store, c->id, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (names->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (names, 0), ==, "Second Victim");
  g_assert_true (casedb_secure_is_secure (g_ptr_array_index (names, 0)));

  /* Audited, without the search text. */
  audit = casedb_store_list_audit (f->store, &error);
  {
    guint n_search = 0;

    for (guint i = 0; i < audit->len; i++)
      {
        CasedbAuditEntry *e = g_ptr_array_index (audit, i);

        g_assert_null (strstr (e->detail, "amira"));
        g_assert_null (strstr (e->detail, "Amira"));
        if (g_strcmp0 (e->action, "identity_search") == 0)
          n_search++;
      }
    g_assert_cmpuint (n_search, ==, 3);
    g_assert_cmpstr (((CasedbAuditEntry *) g_ptr_array_index (audit, audit->len - 1))->action, ==,
                     "identity_read");
    g_assert_cmpstr (((CasedbAuditEntry *) g_ptr_array_index (audit, audit->len - 1))->detail, ==,
                     c->code);
  }
}

static void
test_store_save_cases (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) cases = g_ptr_array_new_with_free_func ((GDestroyNotify) casedb_case_free);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *ref = g_strdup_printf ("IMP-%u", i);

      g_ptr_array_add (cases, make_identity_case (ref, "2022-06-01", "Imported Child"));
    }
  /* The last one repeats a reference: nothing at all is stored. */
  g_ptr_array_add (cases, casedb_test_make_case ("IMP-3", "2022-06-01", CASEDB_VIOLATION_ABDUCTION));
  g_assert_false (casedb_store_save_cases (f->store, cases, NULL, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_EXISTS);
  g_assert_nonnull (strstr (error->message, "21"));
  g_clear_error (&error);
  g_assert_cmpint (((CasedbCase *) g_ptr_array_index (cases, 0))->id, ==, 0);
  {
    g_autoptr(GListModel) list = casedb_store_list_cases (f->store, NULL, &error);

    g_assert_cmpuint (n_items (list), ==, 0);
  }

  g_ptr_array_remove_index (cases, cases->len - 1);
  g_assert_true (casedb_store_save_cases (f->store, cases, NULL, &error));
  g_assert_no_error (error);
  {
    g_autoptr(GListModel) list = casedb_store_list_cases (f->store, NULL, &error);
    CasedbCase *last = g_ptr_array_index (cases, 19);
    g_autoptr(CasedbCase) back = casedb_store_load_case (f->store, last->id, TRUE, &error);

    g_assert_cmpuint (n_items (list), ==, 20);
    /* The sequence was not consumed by the failed attempt. */
    g_assert_cmpstr (((CasedbCase *) g_ptr_array_index (cases, 0))->code, ==, "C-2022-0001");
    g_assert_cmpstr (last->code, ==, "C-2022-0020");
    g_assert_cmpstr (((CasedbVictim *) g_ptr_array_index (back->victims, 0))->name, ==, "Imported Child");
  }
}

/* A CasedbCaseSource making "STR-<n>" cases one at a time; @duplicate_at
 * repeats reference STR-1 there, @fail_at reports an error of its own. */
typedef struct {
  guint n_cases;
  guint next;
  guint duplicate_at;
  guint fail_at;
} Stream;

static CasedbCase *
stream_next (gpointer data, GError **error)
{
  Stream *s = data;
  g_autofree char *ref = NULL;

  if (s->next >= s->n_cases)
    return NULL;
  s->next++;
  if (s->next == s->fail_at)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "stopped by the source");
      return NULL;
    }
  ref = g_strdup_printf ("STR-%u", s->next == s->duplicate_at ? 1 : s->next);
  return make_identity_case (ref, "2022-06-01", "Streamed Child");
}

static guint
count_audit (CasedbStore *store, const char *action)
{
  g_autoptr(GPtrArray) audit = casedb_store_list_audit (store, NULL);
  guint n = 0;

  for (guint i = 0; i < audit->len; i++)
    n += g_strcmp0 (((CasedbAuditEntry *) g_ptr_array_index (audit, i))->action, action) == 0;
  return n;
}

static void
test_store_save_cases_from (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  Stream dup = { .n_cases = 5, .duplicate_at = 5 };
  Stream stop = { .n_cases = 5, .fail_at = 3 };
  Stream good = { .n_cases = 30 };
  g_autoptr(CasedbCase) after = make_identity_case ("AFTER-1", "2022-07-01", "Later Child");
  g_autoptr(GListModel) list = NULL;

  /* A case the store refuses, or an error of the source: nothing stored,
   * no audit entry, no code used up. */
  g_assert_false (casedb_store_save_cases_from (f->store, stream_next, &dup, NULL, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_EXISTS);
  g_assert_nonnull (strstr (error->message, "5"));
  g_clear_error (&error);
  g_assert_false (casedb_store_save_cases_from (f->store, stream_next, &stop, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  list = casedb_store_list_cases (f->store, NULL, &error);
  g_assert_cmpuint (n_items (list), ==, 0);
  g_clear_object (&list);
  g_assert_cmpuint (count_audit (f->store, "import"), ==, 0);

  /* All in one transaction with one audit entry; the codes follow on. */
  g_assert_true (casedb_store_save_cases_from (f->store, stream_next, &good, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (good.next, ==, 30);
  list = casedb_store_list_cases (f->store, NULL, &error);
  g_assert_cmpuint (n_items (list), ==, 30);
  {
    g_autoptr(CasedbCaseRow) first = g_list_model_get_item (list, 0);
    g_autoptr(CasedbCaseRow) last = g_list_model_get_item (list, 29);
    g_autoptr(CasedbCase) back = casedb_store_load_case (f->store, casedb_case_row_get_id (last),
                                                         TRUE, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (casedb_case_row_get_code (first), ==, "C-2022-0001");
    g_assert_cmpstr (casedb_case_row_get_code (last), ==, "C-2022-0030");
    g_assert_cmpstr (casedb_case_row_get_reference (last), ==, "STR-30");
    g_assert_cmpstr (back->narrative, ==, "Narrative of what happened");
    g_assert_cmpstr (((CasedbVictim *) g_ptr_array_index (back->victims, 0))->code, ==, "V-000030");
    g_assert_cmpstr (((CasedbVictim *) g_ptr_array_index (back->victims, 0))->name, ==, "Streamed Child");
  }
  g_assert_cmpuint (count_audit (f->store, "import"), ==, 1);

  /* The sequences were written back. */
  save_ok (f->store, after);
  g_assert_cmpstr (after->code, ==, "C-2022-0031");
  g_assert_cmpstr (((CasedbVictim *) g_ptr_array_index (after->victims, 0))->code, ==, "V-000031");
}

static char *
period_of (const char *date, CasedbPeriod period)
{
  if (date == NULL)
    return g_strdup ("");
  switch (period)
    {
    case CASEDB_PERIOD_MONTH:
      return g_strndup (date, 7);
    case CASEDB_PERIOD_QUARTER:
      return g_strdup_printf ("%.4s-Q%d", date, (atoi (date + 5) + 2) / 3);
    case CASEDB_PERIOD_YEAR:
    default:
      return g_strndup (date, 4);
    }
}

typedef struct {
  guint incidents, female, male, unknown;
} Cell;

/* The expected aggregate, computed from the cases in memory. */
static GHashTable *
expected_cells (GPtrArray *cases, CasedbPeriod period, gboolean consent_only, int violation,
                guint *n_excluded)
{
  GHashTable *cells = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  *n_excluded = 0;
  for (guint i = 0; i < cases->len; i++)
    {
      CasedbCase *c = g_ptr_array_index (cases, i);
      g_autofree char *p = NULL;

      if (c->draft)
        continue;
      if (violation >= 0 && !(casedb_case_get_violation_mask (c) & (1u << violation)))
        continue;
      if (consent_only && !(c->consent.uses & CASEDB_USE_STATISTICS))
        {
          (*n_excluded)++;
          continue;
        }
      p = period_of (c->incident_date, period);

      for (guint k = 0; k < CASEDB_N_VIOLATIONS; k++)
        {
          g_autofree gboolean *seen = g_new0 (gboolean, c->victims->len + 1);
          g_autofree char *key = NULL;
          gboolean present = FALSE;
          Cell *cell;

          if (violation >= 0 && (int) k != violation)
            continue;
          for (guint j = 0; j < c->violations->len; j++)
            {
              CasedbViolation *v = g_ptr_array_index (c->violations, j);

              if (v->kind != k)
                continue;
              present = TRUE;
              for (guint l = 0; l < v->victims->len; l++)
                seen[g_array_index (v->victims, guint, l)] = TRUE;
            }
          if (!present)
            continue;

          key = g_strdup_printf ("%s|%s|%s|%s", casedb_violation_to_key (k), p,
                                 c->region ? c->region : "", casedb_verification_to_key (c->verification));
          if ((cell = g_hash_table_lookup (cells, key)) == NULL)
            {
              cell = g_new0 (Cell, 1);
              g_hash_table_insert (cells, g_strdup (key), cell);
            }
          cell->incidents++;
          for (guint l = 0; l < c->victims->len; l++)
            {
              CasedbVictim *victim = g_ptr_array_index (c->victims, l);

              if (!seen[l])
                continue;
              if (victim->sex == CASEDB_SEX_FEMALE)
                cell->female++;
              else if (victim->sex == CASEDB_SEX_MALE)
                cell->male++;
              else
                cell->unknown++;
            }
        }
    }
  return cells;
}

static void
compare_aggregate (CasedbStore *store, GPtrArray *cases, CasedbPeriod period, gboolean consent_only,
                   int violation)
{
  g_autoptr(GHashTable) want = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  CasedbQuery q = CASEDB_QUERY_INIT;
  guint want_excluded = 0;
  guint n_excluded = 12345;
  CasedbAggregateRow *prev_row = NULL;

  q.draft = 0;
  q.violation = violation;
  want = expected_cells (cases, period, consent_only, violation, &want_excluded);
  rows = casedb_store_aggregate (store, &q, period, consent_only, &n_excluded, &error);
  g_assert_no_error (error);
  g_assert_nonnull (rows);
  g_assert_cmpuint (n_excluded, ==, want_excluded);
  g_assert_cmpuint (rows->len, ==, g_hash_table_size (want));
  g_assert_cmpuint (rows->len, >, 0);

  for (guint i = 0; i < rows->len; i++)
    {
      CasedbAggregateRow *row = g_ptr_array_index (rows, i);
      g_autofree char *key = g_strdup_printf ("%s|%s|%s|%s", casedb_violation_to_key (row->kind),
                                              row->period, row->region,
                                              casedb_verification_to_key (row->verification));
      Cell *cell = g_hash_table_lookup (want, key);

      if (cell == NULL)
        g_error ("unexpected cell %s", key);
      g_assert_cmpuint (row->incidents, ==, cell->incidents);
      g_assert_cmpuint (row->victims_female, ==, cell->female);
      g_assert_cmpuint (row->victims_male, ==, cell->male);
      g_assert_cmpuint (row->victims_unknown, ==, cell->unknown);
      /* Sorted by violation key, period, region, verification key. */
      if (prev_row != NULL)
        {
          int cmp = strcmp (casedb_violation_to_key (prev_row->kind), casedb_violation_to_key (row->kind));

          if (cmp == 0)
            cmp = strcmp (prev_row->period, row->period);
          if (cmp == 0)
            cmp = strcmp (prev_row->region, row->region);
          if (cmp == 0)
            cmp = strcmp (casedb_verification_to_key (prev_row->verification),
                          casedb_verification_to_key (row->verification));
          g_assert_cmpint (cmp, <, 0);
        }
      prev_row = row;
    }
}

static void
test_store_aggregate (Fixture *f, gconstpointer data)
{
  static const char * const regions[] = { "North", "South", "East" };
  g_autoptr(GPtrArray) cases = g_ptr_array_new_with_free_func ((GDestroyNotify) casedb_case_free);
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240601);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *ref = g_strdup_printf ("AGG-%u", i);
      g_autofree char *date = g_strdup_printf ("%d-%02d-%02d", g_rand_int_range (rand, 2022, 2024),
                                               g_rand_int_range (rand, 1, 13), g_rand_int_range (rand, 1, 29));
      CasedbCase *c = casedb_test_make_case (ref, date, g_rand_int_range (rand, 0, CASEDB_N_VIOLATIONS));
      guint n_victims = g_rand_int_range (rand, 0, 4);
      guint n_extra = g_rand_int_range (rand, 0, 3);

      g_free (c->region);
      c->region = g_rand_int_range (rand, 0, 10) == 0 ? NULL
                  : g_strdup (regions[g_rand_int_range (rand, 0, G_N_ELEMENTS (regions))]);
      c->verification = g_rand_int_range (rand, 0, 3);
      c->draft = g_rand_int_range (rand, 0, 8) == 0;
      c->consent.uses = g_rand_int_range (rand, 0, 1 << CASEDB_N_USES);
      for (guint j = 0; j < n_victims; j++)
        {
          CasedbVictim *v = casedb_case_add_victim (c);

          v->sex = g_rand_int_range (rand, 0, 3);
          v->age = g_rand_int_range (rand, -1, 18);
        }
      /* Sometimes the same kind twice, to check "each victim once per violation". */
      for (guint j = 0; j < n_extra; j++)
        casedb_case_add_violation (c, g_rand_int_range (rand, 0, CASEDB_N_VIOLATIONS));
      for (guint j = 0; j < c->violations->len; j++)
        {
          CasedbViolation *v = g_ptr_array_index (c->violations, j);

          for (guint l = 0; l < n_victims; l++)
            if (g_rand_boolean (rand))
              g_array_append_val (v->victims, l);
        }
      g_ptr_array_add (cases, c);
    }
  g_assert_true (casedb_store_save_cases (f->store, cases, NULL, &error));
  g_assert_no_error (error);

  compare_aggregate (f->store, cases, CASEDB_PERIOD_MONTH, FALSE, -1);
  compare_aggregate (f->store, cases, CASEDB_PERIOD_QUARTER, FALSE, -1);
  compare_aggregate (f->store, cases, CASEDB_PERIOD_YEAR, FALSE, -1);
  compare_aggregate (f->store, cases, CASEDB_PERIOD_QUARTER, TRUE, -1);
  compare_aggregate (f->store, cases, CASEDB_PERIOD_YEAR, TRUE, CASEDB_VIOLATION_ABDUCTION);

  /* Analysts may aggregate. */
  casedb_test_add_user (f->store, "ana", CASEDB_ROLE_ANALYST, "ana-pw");
  {
    g_autoptr(CasedbStore) an = open_ok (f->path, "ana", "ana-pw");

    compare_aggregate (an, cases, CASEDB_PERIOD_YEAR, TRUE, -1);
  }
}

int
main (int argc, char *argv[])
{
  casedb_test_init (&argc, &argv);

#define ADD(path, fn) g_test_add ("/store/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("create-open", test_store_create_open);
  g_test_add_func ("/store/create-exists", test_store_create_exists_keys_only);
  ADD ("wrong-password", test_store_wrong_password);
  ADD ("missing-files", test_store_missing_files);
  ADD ("save-load", test_store_save_load);
  ADD ("analyst", test_store_analyst);
  ADD ("verification", test_store_verification);
  ADD ("stale-keyslots", test_store_stale_keyslots);
  ADD ("sealed-length", test_store_sealed_length);
  ADD ("filters", test_store_filters);
  ADD ("keep-sealed", test_store_keep_sealed);
  ADD ("users", test_store_users);
  ADD ("change-password", test_store_change_password);
  ADD ("rekey", test_store_rekey);
  ADD ("rekey-recovery", test_store_rekey_recovery);
  ADD ("swapped-value", test_store_swapped_value);
  ADD ("pragmas", test_store_pragmas);
  ADD ("raw-key", test_store_raw_key);
  ADD ("migration", test_store_migration);
  g_test_add_func ("/store/db-id-mismatch", test_store_db_id_mismatch);
  ADD ("codebook", test_store_codebook);
  ADD ("search-identities", test_store_search_identities);
  ADD ("save-cases", test_store_save_cases);
  ADD ("save-cases-from", test_store_save_cases_from);
  ADD ("batch", test_store_batch);
  ADD ("rekey-due", test_store_rekey_due);
  ADD ("legacy-page-size", test_store_legacy_page_size);
  ADD ("aggregate", test_store_aggregate);
#undef ADD

  return g_test_run ();
}
