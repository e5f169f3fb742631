/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-test"

#include "config.h"

#include <sqlite3.h>
#include <string.h>

#include "casedb-test-util.h"

/*
 * Field office → main office: two databases with the same users, cases
 * written at the field office, packages carried to the main office.
 */

#define MARKER     "Zzmarker"
#define PASSPHRASE "a long transfer passphrase"
#define PW         "sara-password"

typedef struct {
  char        *dir;
  char        *field_db;
  char        *main_db;
  CasedbStore *field;
  CasedbStore *main;
  guint        n_packages;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->dir = casedb_test_mkdtemp ();
  f->field_db = g_build_filename (f->dir, "field.casedb", NULL);
  f->main_db = g_build_filename (f->dir, "main.casedb", NULL);
  f->field = casedb_test_create_store (f->field_db, "sara", PW);
  f->main = casedb_test_create_store (f->main_db, "sara", PW);
  casedb_test_add_user (f->field, "karim", CASEDB_ROLE_CASEWORKER, "karim-password");
  casedb_test_add_user (f->main, "karim", CASEDB_ROLE_CASEWORKER, "karim-password");
  casedb_test_add_user (f->main, "lina", CASEDB_ROLE_ANALYST, "lina-password");
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->field);
  g_clear_object (&f->main);
  casedb_test_rmtree (f->dir);
  g_free (f->field_db);
  g_free (f->main_db);
  g_free (f->dir);
}

G_GNUC_PRINTF (1, 2)
static char *
secure_printf (const char *format, ...)
{
  g_autofree char *s = NULL;
  va_list args;
  char *copy;

  va_start (args, format);
  s = g_strdup_vprintf (format, args);
  va_end (args);
  copy = casedb_secure_strdup (s);
  casedb_secure_wipe (s, strlen (s));
  return copy;
}

static CasedbCase *
make_case (CasedbStore *store, const char *ref, const char *date, const char *who,
           const char *perpetrator)
{
  g_autoptr(GError) error = NULL;
  CasedbCase *c = casedb_test_make_case (ref, date, CASEDB_VIOLATION_ABDUCTION);
  CasedbViolation *vi = g_ptr_array_index (c->violations, 0);
  CasedbVictim *v;
  guint idx;

  for (guint i = 0; i < 2; i++)
    {
      v = casedb_case_add_victim (c);
      v->sex = i == 0 ? CASEDB_SEX_FEMALE : CASEDB_SEX_MALE;
      v->age = 10 + i;
      v->name = secure_printf (MARKER " %s child %u", who, i);
      v->guardian = secure_printf (MARKER " %s guardian %u", who, i);
      idx = i;
      g_array_append_val (vi->victims, idx);
    }
  c->location_detail = secure_printf (MARKER " %s village", who);
  c->narrative = secure_printf (MARKER " %s narrative", who);
  c->consent.withhold_from = casedb_secure_strdup (MARKER " the neighbours");
  vi->subtype = NULL;
  if (perpetrator != NULL)
    {
      vi->perpetrator_code = casedb_store_code_for_name (store, 'P', perpetrator, &error);
      g_assert_no_error (error);
    }
  return c;
}

static void
save_ok (CasedbStore *store, CasedbCase *c)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (casedb_store_save_case (store, c, &error));
  g_assert_no_error (error);
}

static char *
export_ok (Fixture *f, gboolean all, guint expected)
{
  g_autoptr(GError) error = NULL;
  CasedbKdfParams params;
  char *path = g_strdup_printf ("%s/transfer-%u.pkg", f->dir, ++f->n_packages);
  guint n = 0;

  casedb_kdf_params_testing (&params);
  g_assert_true (casedb_transfer_export (f->field, path, PASSPHRASE, all, &params, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, expected);
  /* Identities travel, but never in the clear. */
  g_assert_false (casedb_test_file_contains (path, MARKER));
  return path;
}

/* Imports @path into main; returns the items. */
static GPtrArray *
import_ok (Fixture *f, const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CasedbTransferBundle) bundle = casedb_transfer_bundle_open (path, PASSPHRASE, &error);
  GPtrArray *items;

  g_assert_no_error (error);
  g_assert_cmpstr (casedb_transfer_bundle_get_sender (bundle), ==,
                   casedb_store_get_database_id (f->field));
  items = casedb_transfer_import (f->main, bundle, &error);
  g_assert_no_error (error);
  g_assert_nonnull (items);
  return items;
}

static CasedbTransferItem *
find_item (GPtrArray *items, const char *uuid)
{
  for (guint i = 0; i < items->len; i++)
    {
      CasedbTransferItem *t = g_ptr_array_index (items, i);

      if (g_strcmp0 (t->uuid, uuid) == 0)
        return t;
    }
  g_assert_not_reached ();
  return NULL;
}

static guint
count_action (GPtrArray *items, CasedbMergeAction action)
{
  guint n = 0;

  for (guint i = 0; i < items->len; i++)
    n += ((CasedbTransferItem *) g_ptr_array_index (items, i))->action == action;
  return n;
}

/* The case with @uuid in @store, with identities. */
static CasedbCase *
load_by_uuid (CasedbStore *store, const char *uuid)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = casedb_store_list_case_ids (store, NULL, &error);
  g_autoptr(GPtrArray) all = NULL;

  g_assert_no_error (error);
  all = casedb_store_load_cases (store, ids, TRUE, "test", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < all->len; i++)
    {
      CasedbCase *c = g_ptr_array_index (all, i);

      if (g_strcmp0 (c->uuid, uuid) == 0)
        return casedb_case_copy (c);
    }
  return NULL;
}

static guint
count_cases (CasedbStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = casedb_store_list_case_ids (store, NULL, &error);

  g_assert_no_error (error);
  return ids->len;
}

static char *
name_of (CasedbStore *store, const char *code)
{
  g_autoptr(GError) error = NULL;
  char *name = casedb_store_name_for_code (store, code, &error);

  g_assert_no_error (error);
  return name;
}

/* Everything the offices share is equal; codes are each office's own, and
 * perpetrator codes name the same party. */
static void
assert_same_content (CasedbStore *a_store, const CasedbCase *a, CasedbStore *b_store,
                     const CasedbCase *b)
{
  g_assert_cmpstr (a->uuid, ==, b->uuid);
  g_assert_cmpstr (a->incident_date, ==, b->incident_date);
  g_assert_cmpstr (a->report_date, ==, b->report_date);
  g_assert_cmpstr (a->region, ==, b->region);
  g_assert_cmpstr (a->location_detail, ==, b->location_detail);
  g_assert_cmpstr (a->summary, ==, b->summary);
  g_assert_cmpstr (a->narrative, ==, b->narrative);
  g_assert_cmpstr (a->source_code, ==, b->source_code);
  g_assert_cmpint (a->verification, ==, b->verification);
  g_assert_cmpint (a->draft, ==, b->draft);
  g_assert_cmpint (a->consent.uses, ==, b->consent.uses);
  g_assert_cmpint (a->consent.given_by, ==, b->consent.given_by);
  g_assert_cmpstr (a->consent.withhold_from, ==, b->consent.withhold_from);
  g_assert_cmpuint (a->victims->len, ==, b->victims->len);
  for (guint i = 0; i < a->victims->len; i++)
    {
      CasedbVictim *va = g_ptr_array_index (a->victims, i);
      CasedbVictim *vb = g_ptr_array_index (b->victims, i);

      g_assert_cmpstr (va->name, ==, vb->name);
      g_assert_cmpstr (va->guardian, ==, vb->guardian);
      g_assert_cmpint (va->sex, ==, vb->sex);
      g_assert_cmpint (va->age, ==, vb->age);
    }
  g_assert_cmpuint (a->violations->len, ==, b->violations->len);
  for (guint i = 0; i < a->violations->len; i++)
    {
      CasedbViolation *va = g_ptr_array_index (a->violations, i);
      CasedbViolation *vb = g_ptr_array_index (b->violations, i);

      g_assert_cmpint (va->kind, ==, vb->kind);
      g_assert_cmpuint (va->victims->len, ==, vb->victims->len);
      for (guint j = 0; j < va->victims->len; j++)
        g_assert_cmpuint (g_array_index (va->victims, guint, j), ==, g_array_index (vb->victims, guint, j));
      g_assert_cmpint (va->perpetrator_code == NULL, ==, vb->perpetrator_code == NULL);
      if (va->perpetrator_code != NULL)
        {
          g_autoptr(CasedbSecureString) na = name_of (a_store, va->perpetrator_code);
          g_autoptr(CasedbSecureString) nb = name_of (b_store, vb->perpetrator_code);

          g_assert_cmpstr (na, ==, nb);
        }
    }
}

/* Sets the "updated" time of every case but @keep_uuid far in the past. */
static void
age_other_cases (CasedbStore *store, const char *keep_uuid)
{
  sqlite3 *db = casedb_store_get_db_handle (store);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "UPDATE cases SET updated = '2020-01-01T00:00:00Z'"
                                           " WHERE uuid != ?1", -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, keep_uuid, -1, SQLITE_TRANSIENT);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
}

/* Three field cases (two in 2024, one in 2023) carried to main, which has
 * its own 2024 case and another meaning for the code P-0001. */
static void
first_transfer (Fixture *f, CasedbCase *cases[3])
{
  g_autoptr(CasedbCase) own = make_case (f->main, "MAIN-1", "2024-02-01", "main", "Other party");
  g_autoptr(GPtrArray) preview = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(CasedbTransferBundle) bundle = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  cases[0] = make_case (f->field, "F-1", "2024-03-01", "first", "Armed group Alpha");
  cases[1] = make_case (f->field, "F-2", "2024-03-02", "second", "Armed group Beta");
  cases[2] = make_case (f->field, "MAIN-1", "2023-05-05", "third", "Armed group Alpha");
  for (guint i = 0; i < 3; i++)
    save_ok (f->field, cases[i]);
  save_ok (f->main, own);
  g_assert_cmpstr (own->code, ==, "C-2024-0001");
  g_assert_cmpstr (cases[0]->code, ==, "C-2024-0001");
  g_assert_cmpstr (cases[2]->code, ==, "C-2023-0001");

  path = export_ok (f, FALSE, 3);

  /* The preview decides without storing anything. */
  bundle = casedb_transfer_bundle_open (path, PASSPHRASE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (casedb_transfer_bundle_get_n_cases (bundle), ==, 3);
  preview = casedb_transfer_preview (f->main, bundle, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_action (preview, CASEDB_MERGE_NEW), ==, 3);
  g_assert_cmpuint (count_cases (f->main), ==, 1);

  items = casedb_transfer_import (f->main, bundle, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_action (items, CASEDB_MERGE_NEW), ==, 3);
  g_assert_cmpuint (count_cases (f->main), ==, 4);
}

/* A write failing half-way through the import (the disk "fills" at the
 * second new case) keeps nothing of the package: no case, and none of the
 * parties it names in main's code book. */
static void
test_transfer_failure_keeps_no_names (Fixture *f, gconstpointer data)
{
  g_autoptr(CasedbCase) alpha = make_case (f->field, "F-1", "2024-03-01", "first", "Armed group Alpha");
  g_autoptr(CasedbCase) beta = make_case (f->field, "F-2", "2024-03-02", "second", "Armed group Beta");
  g_autoptr(CasedbTransferBundle) bundle = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  sqlite3 *db = casedb_store_get_db_handle (f->main);

  save_ok (f->field, alpha);
  save_ok (f->field, beta);
  path = export_ok (f, FALSE, 2);
  bundle = casedb_transfer_bundle_open (path, PASSPHRASE, &error);
  g_assert_no_error (error);

  g_assert_cmpint (sqlite3_exec (db,
                                 "CREATE TEMP TRIGGER disk_full BEFORE INSERT ON main.cases"
                                 " WHEN (SELECT count(*) FROM main.cases) >= 1"
                                 " BEGIN SELECT RAISE (ABORT, 'database or disk is full'); END;",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_null (casedb_transfer_import (f->main, bundle, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_cmpuint (count_cases (f->main), ==, 0);
  g_assert_cmpint (casedb_test_sql_int (f->main, "SELECT count(*) FROM codebook"), ==, 0);

  g_assert_cmpint (sqlite3_exec (db, "DROP TRIGGER disk_full;", NULL, NULL, NULL), ==, SQLITE_OK);
  items = casedb_transfer_import (f->main, bundle, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_action (items, CASEDB_MERGE_NEW), ==, 2);
  g_assert_cmpint (casedb_test_sql_int (f->main, "SELECT count(*) FROM codebook"), ==, 2);
}

static void
free_cases (CasedbCase *cases[3])
{
  for (guint i = 0; i < 3; i++)
    g_clear_pointer (&cases[i], casedb_case_free);
}

static void
test_transfer_round_trip (Fixture *f, gconstpointer data)
{
  CasedbCase *cases[3] = { NULL, };
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(CasedbCase) next2023 = NULL;
  g_autoptr(CasedbCase) before = NULL;
  g_autoptr(CasedbCase) after = NULL;
  g_autoptr(CasedbCase) edited = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;

  first_transfer (f, cases);
  first = g_strdup_printf ("%s/transfer-1.pkg", f->dir);

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(CasedbCase) here = load_by_uuid (f->main, cases[i]->uuid);
      g_autoptr(CasedbCase) there = load_by_uuid (f->field, cases[i]->uuid);

      g_assert_nonnull (here);
      assert_same_content (f->field, there, f->main, here);
    }

  /* The code is kept where it is free; taken ones get the main office's
   * own, and the sequence never hands out a kept code again. */
  {
    g_autoptr(CasedbCase) c0 = load_by_uuid (f->main, cases[0]->uuid);
    g_autoptr(CasedbCase) c2 = load_by_uuid (f->main, cases[2]->uuid);

    g_assert_cmpstr (c0->code, !=, "C-2024-0001");
    g_assert_true (g_str_has_prefix (c0->code, "C-2024-"));
    g_assert_cmpstr (c2->code, ==, "C-2023-0001");
    /* Its reference was taken by the main office's own case. */
    g_assert_cmpstr (c2->reference, ==, "MAIN-1 (C-2023-0001)");
    /* P-0001 means another party at the main office. */
    g_assert_cmpstr (((CasedbViolation *) g_ptr_array_index (c0->violations, 0))->perpetrator_code,
                     !=, "P-0001");
  }
  next2023 = make_case (f->main, "MAIN-2", "2023-06-01", "main two", NULL);
  save_ok (f->main, next2023);
  g_assert_cmpstr (next2023->code, ==, "C-2023-0002");

  /* The same package again changes nothing. */
  before = load_by_uuid (f->main, cases[0]->uuid);
  again = import_ok (f, first);
  g_assert_cmpuint (count_action (again, CASEDB_MERGE_SAME), ==, 3);
  g_assert_cmpuint (count_cases (f->main), ==, 5);

  /* A change at the field office: only that case travels, and updates the
   * main office's copy, whose victim codes stay. */
  edited = load_by_uuid (f->field, cases[1]->uuid);
  casedb_secure_free (edited->narrative);
  edited->narrative = casedb_secure_strdup (MARKER " second narrative, corrected");
  save_ok (f->field, edited);
  age_other_cases (f->field, edited->uuid);
  g_clear_pointer (&before, casedb_case_free);
  before = load_by_uuid (f->main, cases[1]->uuid);

  second = export_ok (f, FALSE, 1);
  items = import_ok (f, second);
  g_assert_cmpuint (items->len, ==, 1);
  g_assert_cmpint (find_item (items, edited->uuid)->action, ==, CASEDB_MERGE_UPDATE);
  after = load_by_uuid (f->main, cases[1]->uuid);
  g_assert_cmpstr (after->narrative, ==, MARKER " second narrative, corrected");
  g_assert_cmpstr (after->code, ==, before->code);
  for (guint i = 0; i < after->victims->len; i++)
    g_assert_cmpstr (((CasedbVictim *) g_ptr_array_index (after->victims, i))->code, ==,
                     ((CasedbVictim *) g_ptr_array_index (before->victims, i))->code);
  g_assert_cmpuint (count_cases (f->main), ==, 5);

  /* --all sends everything again, harmlessly. */
  g_clear_pointer (&items, g_ptr_array_unref);
  g_clear_pointer (&second, g_free);
  second = export_ok (f, TRUE, 3);
  items = import_ok (f, second);
  g_assert_cmpuint (count_action (items, CASEDB_MERGE_SAME), ==, 3);

  free_cases (cases);
}

static void
edit_summary (CasedbStore *store, const char *uuid, const char *summary, const char *narrative)
{
  g_autoptr(CasedbCase) c = load_by_uuid (store, uuid);

  g_free (c->summary);
  c->summary = g_strdup (summary);
  if (narrative != NULL)
    {
      casedb_secure_free (c->narrative);
      c->narrative = casedb_secure_strdup (narrative);
    }
  save_ok (store, c);
}

static void
test_transfer_conflict (Fixture *f, gconstpointer data)
{
  CasedbCase *cases[3] = { NULL, };
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) conflicts = NULL;
  g_autoptr(CasedbCase) here = NULL;
  g_autoptr(CasedbCase) theirs = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *main_updated = NULL;
  const char *uuid;
  CasedbConflictInfo *info;

  first_transfer (f, cases);
  uuid = cases[1]->uuid;

  /* Edited on both sides. */
  edit_summary (f->main, uuid, "Edited at the main office", NULL);
  edit_summary (f->field, uuid, "Edited at the field office", MARKER " field narrative v2");
  here = load_by_uuid (f->main, uuid);
  main_updated = g_strdup (here->updated);
  g_clear_pointer (&here, casedb_case_free);

  path = export_ok (f, FALSE, 3);
  items = import_ok (f, path);
  g_assert_cmpint (find_item (items, uuid)->action, ==, CASEDB_MERGE_CONFLICT);
  g_assert_cmpint (find_item (items, cases[0]->uuid)->action, ==, CASEDB_MERGE_SAME);

  /* Nothing was overwritten. */
  here = load_by_uuid (f->main, uuid);
  g_assert_cmpstr (here->summary, ==, "Edited at the main office");
  g_assert_cmpstr (here->narrative, ==, MARKER " second narrative");
  g_assert_cmpstr (here->updated, ==, main_updated);

  conflicts = casedb_store_list_conflicts (f->main, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (conflicts->len, ==, 1);
  info = g_ptr_array_index (conflicts, 0);
  g_assert_cmpstr (info->uuid, ==, uuid);
  g_assert_cmpstr (info->code, ==, here->code);
  g_assert_cmpstr (info->peer, ==, casedb_store_get_database_id (f->field));

  /* The same package again: still one conflict, still not overwritten. */
  g_clear_pointer (&items, g_ptr_array_unref);
  items = import_ok (f, path);
  g_assert_cmpint (find_item (items, uuid)->action, ==, CASEDB_MERGE_CONFLICT);
  g_clear_pointer (&conflicts, g_ptr_array_unref);
  conflicts = casedb_store_list_conflicts (f->main, &error);
  g_assert_cmpuint (conflicts->len, ==, 1);

  theirs = casedb_transfer_get_conflict (f->main, uuid, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (theirs->summary, ==, "Edited at the field office");
  g_assert_cmpstr (theirs->narrative, ==, MARKER " field narrative v2");

  /* The kept version survives a rekey (it is sealed with the identity key). */
  g_assert_true (casedb_store_rekey (f->main, &error));
  g_assert_no_error (error);
  g_clear_pointer (&theirs, casedb_case_free);
  theirs = casedb_transfer_get_conflict (f->main, uuid, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (theirs->summary, ==, "Edited at the field office");

  /* Keep mine: nothing changes here, the conflict is gone... */
  g_assert_true (casedb_transfer_resolve (f->main, uuid, NULL, FALSE, &error));
  g_assert_no_error (error);
  g_clear_pointer (&here, casedb_case_free);
  here = load_by_uuid (f->main, uuid);
  g_assert_cmpstr (here->summary, ==, "Edited at the main office");
  g_clear_pointer (&conflicts, g_ptr_array_unref);
  conflicts = casedb_store_list_conflicts (f->main, &error);
  g_assert_cmpuint (conflicts->len, ==, 0);
  g_assert_false (casedb_transfer_resolve (f->main, uuid, NULL, FALSE, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* ...the same package is now old news, but the next field change is a
   * conflict again: the version kept here is not the field office's. */
  g_clear_pointer (&items, g_ptr_array_unref);
  items = import_ok (f, path);
  g_assert_cmpint (find_item (items, uuid)->action, ==, CASEDB_MERGE_SAME);
  edit_summary (f->field, uuid, "Edited at the field office again", NULL);
  g_clear_pointer (&path, g_free);
  path = export_ok (f, FALSE, 3);
  g_clear_pointer (&items, g_ptr_array_unref);
  items = import_ok (f, path);
  g_assert_cmpint (find_item (items, uuid)->action, ==, CASEDB_MERGE_CONFLICT);

  /* Take theirs: the field version with its identities replaces this one. */
  g_assert_true (casedb_transfer_resolve (f->main, uuid, NULL, TRUE, &error));
  g_assert_no_error (error);
  g_clear_pointer (&here, casedb_case_free);
  here = load_by_uuid (f->main, uuid);
  g_assert_cmpstr (here->summary, ==, "Edited at the field office again");
  g_assert_cmpstr (here->narrative, ==, MARKER " field narrative v2");
  {
    g_autoptr(CasedbCase) there = load_by_uuid (f->field, uuid);

    assert_same_content (f->field, there, f->main, here);
  }

  /* Both hold the same version now: the next field change is an update. */
  edit_summary (f->field, uuid, "Third field edit", NULL);
  g_clear_pointer (&path, g_free);
  path = export_ok (f, FALSE, 3);
  g_clear_pointer (&items, g_ptr_array_unref);
  items = import_ok (f, path);
  g_assert_cmpint (find_item (items, uuid)->action, ==, CASEDB_MERGE_UPDATE);
  g_clear_pointer (&here, casedb_case_free);
  here = load_by_uuid (f->main, uuid);
  g_assert_cmpstr (here->summary, ==, "Third field edit");

  free_cases (cases);
}

static void
test_transfer_deleted_here (Fixture *f, gconstpointer data)
{
  CasedbCase *cases[3] = { NULL, };
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(CasedbCase) here = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  const char *uuid;

  first_transfer (f, cases);
  uuid = cases[0]->uuid;

  here = load_by_uuid (f->main, uuid);
  g_assert_true (casedb_store_delete_case (f->main, here->id, &error));
  g_assert_no_error (error);
  g_clear_pointer (&here, casedb_case_free);

  /* A change from the field does not bring a deleted case back silently. */
  edit_summary (f->field, uuid, "Changed after the deletion", NULL);
  path = export_ok (f, FALSE, 3);
  items = import_ok (f, path);
  g_assert_cmpint (find_item (items, uuid)->action, ==, CASEDB_MERGE_CONFLICT);
  g_assert_null (find_item (items, uuid)->code);
  g_assert_null (load_by_uuid (f->main, uuid));

  g_assert_true (casedb_transfer_resolve (f->main, uuid, NULL, TRUE, &error));
  g_assert_no_error (error);
  here = load_by_uuid (f->main, uuid);
  g_assert_nonnull (here);
  g_assert_cmpstr (here->summary, ==, "Changed after the deletion");

  free_cases (cases);
}

static void
test_transfer_refused (Fixture *f, gconstpointer data)
{
  g_autoptr(CasedbCase) c = make_case (f->field, "F-1", "2024-03-01", "first", NULL);
  g_autoptr(CasedbStore) caseworker = NULL;
  g_autoptr(CasedbStore) analyst = NULL;
  g_autoptr(CasedbTransferBundle) bundle = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *other = g_build_filename (f->dir, "other.pkg", NULL);
  CasedbKdfParams params;

  casedb_kdf_params_testing (&params);
  save_ok (f->field, c);

  /* A short passphrase. */
  g_assert_false (casedb_transfer_export (f->field, other, "too short", FALSE, &params, NULL, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_false (g_file_test (other, G_FILE_TEST_EXISTS));

  /* Caseworkers hold identities but may not send them away. */
  caseworker = casedb_store_open (f->field_db, "karim", "karim-password", &error);
  g_assert_no_error (error);
  g_assert_false (casedb_transfer_export (caseworker, other, PASSPHRASE, FALSE, &params, NULL, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_PERMITTED);
  g_clear_error (&error);
  g_assert_false (g_file_test (other, G_FILE_TEST_EXISTS));

  path = export_ok (f, FALSE, 1);

  /* An existing file is never overwritten. */
  g_assert_false (casedb_transfer_export (f->field, path, PASSPHRASE, FALSE, &params, NULL, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_EXISTS);
  g_clear_error (&error);

  g_assert_null (casedb_transfer_bundle_open (path, "the wrong passphrase", &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_WRONG_PASSWORD);
  g_clear_error (&error);

  bundle = casedb_transfer_bundle_open (path, PASSPHRASE, &error);
  g_assert_no_error (error);

  /* Not into the database it came from. */
  g_assert_null (casedb_transfer_import (f->field, bundle, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  analyst = casedb_store_open (f->main_db, "lina", "lina-password", &error);
  g_assert_no_error (error);
  g_assert_null (casedb_transfer_import (analyst, bundle, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_PERMITTED);
  g_clear_error (&error);
  g_clear_object (&caseworker);
  caseworker = casedb_store_open (f->main_db, "karim", "karim-password", &error);
  g_assert_no_error (error);
  g_assert_null (casedb_transfer_import (caseworker, bundle, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_PERMITTED);
  g_clear_error (&error);
  g_assert_cmpuint (count_cases (f->main), ==, 0);

  /* Every step is in the audit logs. */
  items = casedb_transfer_import (f->main, bundle, &error);
  g_assert_no_error (error);
  {
    g_autoptr(GPtrArray) field_log = casedb_store_list_audit (f->field, &error);
    g_autoptr(GPtrArray) main_log = casedb_store_list_audit (f->main, &error);
    gboolean exported = FALSE, imported = FALSE;

    for (guint i = 0; i < field_log->len; i++)
      {
        CasedbAuditEntry *e = g_ptr_array_index (field_log, i);

        if (g_strcmp0 (e->action, "transfer_export") == 0)
          {
            g_assert_cmpstr (e->user, ==, "sara");
            g_assert_true (g_str_has_prefix (e->detail, "1 cases"));
            exported = TRUE;
          }
        g_assert_null (strstr (e->detail, MARKER));
      }
    for (guint i = 0; i < main_log->len; i++)
      {
        CasedbAuditEntry *e = g_ptr_array_index (main_log, i);

        if (g_strcmp0 (e->action, "transfer_import") == 0)
          {
            g_assert_nonnull (strstr (e->detail, "1 new"));
            imported = TRUE;
          }
      }
    g_assert_true (exported);
    g_assert_true (imported);
  }
}

int
main (int argc, char *argv[])
{
  casedb_test_init (&argc, &argv);

  g_test_add ("/transfer/round-trip", Fixture, NULL, fixture_setup, test_transfer_round_trip,
              fixture_teardown);
  g_test_add ("/transfer/conflict", Fixture, NULL, fixture_setup, test_transfer_conflict,
              fixture_teardown);
  g_test_add ("/transfer/deleted-here", Fixture, NULL, fixture_setup, test_transfer_deleted_here,
              fixture_teardown);
  g_test_add ("/transfer/failure-keeps-no-names", Fixture, NULL, fixture_setup,
              test_transfer_failure_keeps_no_names, fixture_teardown);
  g_test_add ("/transfer/refused", Fixture, NULL, fixture_setup, test_transfer_refused,
              fixture_teardown);

  return g_test_run ();
}
