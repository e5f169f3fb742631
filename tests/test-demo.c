/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-test"

#include "config.h"

#include <string.h>

#include "casedb-test-util.h"

typedef struct {
  char        *dir;
  char        *db_path;
  CasedbStore *store;   /* supervisor */
} Fixture;

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  fx->dir = casedb_test_mkdtemp ();
  fx->db_path = g_build_filename (fx->dir, "demo.db", NULL);
  fx->store = casedb_test_create_store (fx->db_path, "sara", "sara-password");
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  casedb_store_close (fx->store);
  g_clear_object (&fx->store);
  casedb_test_rmtree (fx->dir);
  g_free (fx->db_path);
  g_free (fx->dir);
}

static GListModel *
list_all (CasedbStore *store)
{
  g_autoptr(GError) error = NULL;
  CasedbQuery query = CASEDB_QUERY_INIT;
  GListModel *rows = casedb_store_list_cases (store, &query, &error);

  g_assert_no_error (error);
  return rows;
}

static int
compare_lines (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* One line per case of everything a list row shows, sorted by reference. */
static char *
describe_rows (GListModel *rows)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) all = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(CasedbCaseRow) row = g_list_model_get_item (rows, i);

      g_ptr_array_add (lines, g_strdup_printf ("%s|%s|%s|%x|%u|%d|%d|%d|%s",
                                               casedb_case_row_get_reference (row),
                                               casedb_case_row_get_incident_date (row),
                                               casedb_case_row_get_region (row),
                                               casedb_case_row_get_violation_mask (row),
                                               casedb_case_row_get_n_victims (row),
                                               casedb_case_row_get_verification (row),
                                               casedb_case_row_get_draft (row),
                                               casedb_case_row_get_needs_followup (row),
                                               casedb_case_row_get_summary (row)));
    }
  g_ptr_array_sort (lines, compare_lines);
  for (guint i = 0; i < lines->len; i++)
    {
      g_string_append (all, g_ptr_array_index (lines, i));
      g_string_append_c (all, '\n');
    }
  return g_string_free (g_steal_pointer (&all), FALSE);
}

static void
test_demo_users (void)
{
  guint n = 0;
  const CasedbDemoUser *users = casedb_demo_get_users (&n);

  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpstr (users[0].user, ==, "sara");
  g_assert_cmpstr (users[0].password, ==, "demo-supervisor");
  g_assert_cmpint (users[0].role, ==, CASEDB_ROLE_SUPERVISOR);
  g_assert_cmpstr (users[1].user, ==, "karim");
  g_assert_cmpstr (users[1].password, ==, "demo-caseworker");
  g_assert_cmpint (users[1].role, ==, CASEDB_ROLE_CASEWORKER);
  g_assert_cmpstr (users[2].user, ==, "lina");
  g_assert_cmpstr (users[2].password, ==, "demo-analyst");
  g_assert_cmpint (users[2].role, ==, CASEDB_ROLE_ANALYST);
}

static void
test_demo_deterministic (Fixture *fx, gconstpointer data)
{
  g_autofree char *other_path = g_build_filename (fx->dir, "other.db", NULL);
  g_autofree char *third_path = g_build_filename (fx->dir, "third.db", NULL);
  g_autoptr(CasedbStore) other = casedb_test_create_store (other_path, "sara", "sara-password");
  g_autoptr(CasedbStore) third = casedb_test_create_store (third_path, "sara", "sara-password");
  g_autoptr(GListModel) a = NULL;
  g_autoptr(GListModel) b = NULL;
  g_autoptr(GListModel) c = NULL;
  g_autofree char *da = NULL;
  g_autofree char *db = NULL;
  g_autofree char *dc = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (casedb_demo_populate (fx->store, 80, 42, &error));
  g_assert_no_error (error);
  g_assert_true (casedb_demo_populate (other, 80, 42, &error));
  g_assert_no_error (error);
  g_assert_true (casedb_demo_populate (third, 80, 43, &error));
  g_assert_no_error (error);

  a = list_all (fx->store);
  b = list_all (other);
  c = list_all (third);
  g_assert_cmpuint (g_list_model_get_n_items (a), ==, 80);
  da = describe_rows (a);
  db = describe_rows (b);
  dc = describe_rows (c);
  g_assert_cmpstr (da, ==, db);
  g_assert_cmpstr (da, !=, dc);

  casedb_store_close (other);
  casedb_store_close (third);
}

/* Enough cases to cross a transaction batch, with a realistic mix. */
static void
test_demo_mix (Fixture *fx, gconstpointer data)
{
  const char *regions[] = { "Northern Province", "River District", "Eastern Highlands",
                            "Capital Region", "Lake Zone" };
  g_autoptr(GListModel) rows = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) then = g_date_time_add_years (now, -3);
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");
  g_autofree char *oldest = g_date_time_format (then, "%Y-%m-%d");
  guint mask = 0, drafts = 0, followups = 0, without_victims = 0, named = 0;
  guint verification[3] = { 0, };
  guint n;

  g_assert_true (casedb_demo_populate (fx->store, 1200, 7, &error));
  g_assert_no_error (error);
  rows = list_all (fx->store);
  n = g_list_model_get_n_items (rows);
  g_assert_cmpuint (n, ==, 1200);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CasedbCaseRow) row = g_list_model_get_item (rows, i);
      const char *date = casedb_case_row_get_incident_date (row);
      gboolean known_region = FALSE;

      mask |= casedb_case_row_get_violation_mask (row);
      drafts += casedb_case_row_get_draft (row);
      followups += casedb_case_row_get_needs_followup (row);
      without_victims += casedb_case_row_get_n_victims (row) == 0;
      verification[casedb_case_row_get_verification (row)]++;
      g_assert_cmpstr (date, <=, today);
      g_assert_cmpstr (date, >=, oldest);
      for (guint r = 0; r < G_N_ELEMENTS (regions); r++)
        known_region |= g_strcmp0 (casedb_case_row_get_region (row), regions[r]) == 0;
      g_assert_true (known_region);
      g_assert_nonnull (casedb_case_row_get_summary (row));

      if (i < 40)
        {
          g_autoptr(CasedbCase) c = casedb_store_load_case (fx->store, casedb_case_row_get_id (row),
                                                            TRUE, &error);

          g_assert_no_error (error);
          g_assert_nonnull (strstr (c->location_detail, "(fictional)"));
          for (guint v = 0; v < c->victims->len; v++)
            {
              CasedbVictim *victim = g_ptr_array_index (c->victims, v);

              if (victim->name != NULL)
                {
                  g_assert_nonnull (strstr (victim->name, "(fictional)"));
                  named++;
                }
            }
        }
    }

  g_assert_cmpuint (mask, ==, (1u << CASEDB_N_VIOLATIONS) - 1);
  g_assert_cmpuint (drafts, >, 0);
  g_assert_cmpuint (drafts, <, n / 5);
  g_assert_cmpuint (followups, >, 0);
  g_assert_cmpuint (without_victims, >, 0);
  g_assert_cmpuint (named, >, 0);
  for (guint v = 0; v < 3; v++)
    g_assert_cmpuint (verification[v], >, 0);
}

static void
test_demo_roles (Fixture *fx, gconstpointer data)
{
  g_autoptr(CasedbStore) karim = NULL;
  g_autoptr(CasedbStore) lina = NULL;
  g_autoptr(GListModel) rows = NULL;
  g_autoptr(GError) error = NULL;

  casedb_test_add_user (fx->store, "karim", CASEDB_ROLE_CASEWORKER, "karim-password");
  casedb_test_add_user (fx->store, "lina", CASEDB_ROLE_ANALYST, "lina-password");

  lina = casedb_store_open (fx->db_path, "lina", "lina-password", &error);
  g_assert_no_error (error);
  g_assert_false (casedb_demo_populate (lina, 10, 1, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_PERMITTED);
  g_clear_error (&error);

  /* A caseworker may not verify: the generator stores pending instead. */
  karim = casedb_store_open (fx->db_path, "karim", "karim-password", &error);
  g_assert_no_error (error);
  g_assert_true (casedb_demo_populate (karim, 60, 1, &error));
  g_assert_no_error (error);
  rows = list_all (fx->store);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 60);
  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(CasedbCaseRow) row = g_list_model_get_item (rows, i);

      g_assert_cmpint (casedb_case_row_get_verification (row), !=, CASEDB_VERIFICATION_VERIFIED);
    }
  casedb_store_close (karim);
  casedb_store_close (lina);
}

/* Uses the default Argon2id cost, as the real demo does. */
static void
test_demo_ensure (void)
{
  g_autofree char *dir = casedb_test_mkdtemp ();
  g_autofree char *path = g_build_filename (dir, "demo.db", NULL);
  g_autoptr(GError) error = NULL;
  const CasedbDemoUser *users;
  guint n_users = 0;

  g_assert_true (casedb_demo_ensure (path, &error));
  g_assert_no_error (error);

  users = casedb_demo_get_users (&n_users);
  for (guint i = 0; i < n_users; i++)
    {
      g_autoptr(CasedbStore) store = casedb_store_open (path, users[i].user, users[i].password, &error);
      g_autoptr(GListModel) rows = NULL;

      g_assert_no_error (error);
      g_assert_cmpint (casedb_store_get_role (store), ==, users[i].role);
      if (i == 0)
        {
          rows = list_all (store);
          g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 150);
        }
      casedb_store_close (store);
    }

  /* A second call leaves the database alone. */
  g_assert_true (casedb_demo_ensure (path, &error));
  g_assert_no_error (error);

  casedb_test_rmtree (dir);
}

#define ADD(name, func) \
  g_test_add ("/demo/" name, Fixture, NULL, fixture_setup, func, fixture_teardown)

int
main (int argc, char *argv[])
{
  casedb_test_init (&argc, &argv);

  g_test_add_func ("/demo/users", test_demo_users);
  ADD ("deterministic", test_demo_deterministic);
  ADD ("mix", test_demo_mix);
  ADD ("roles", test_demo_roles);
  g_test_add_func ("/demo/ensure", test_demo_ensure);

  return g_test_run ();
}
