/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-test"

#include "config.h"

#include <string.h>

#include "casedb-test-util.h"

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  guint      *n_signals)
{
  (*n_signals)++;
}

static CasedbCaseListModel *
make_model (guint n)
{
  CasedbCaseListModel *model = casedb_case_list_model_new ();

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *code = g_strdup_printf ("C-2024-%04u", i + 1);
      g_autofree char *ref = g_strdup_printf ("REF-%u", i);
      g_autofree char *region = g_strdup_printf ("Region %u", i % 20);

      casedb_case_list_model_append (model, 1000 + i, code,
                                     i % 3 == 0 ? NULL : ref,
                                     i % 5 == 0 ? NULL : "2024-02-03",
                                     i % 7 == 0 ? NULL : region,
                                     (i % 63) + 1, i % 4,
                                     (CasedbVerification) (i % 3),
                                     i % 2 == 0, i % 3 == 1,
                                     i % 11 == 0 ? NULL : "Coded summary");
    }
  return model;
}

/* Rows made on demand carry exactly what was appended, in order. */
static void
test_rows (void)
{
  g_autoptr(CasedbCaseListModel) model = make_model (1000);
  GListModel *list = G_LIST_MODEL (model);
  guint n_signals = 0;

  g_signal_connect (model, "items-changed", G_CALLBACK (items_changed_cb), &n_signals);
  casedb_case_list_model_finish (model);

  g_assert_true (g_list_model_get_item_type (list) == CASEDB_TYPE_CASE_ROW);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 1000);
  for (guint i = 0; i < 1000; i++)
    {
      g_autoptr(CasedbCaseRow) row = g_list_model_get_item (list, i);
      g_autofree char *code = g_strdup_printf ("C-2024-%04u", i + 1);
      g_autofree char *ref = g_strdup_printf ("REF-%u", i);
      g_autofree char *region = g_strdup_printf ("Region %u", i % 20);

      g_assert_true (CASEDB_IS_CASE_ROW (row));
      g_assert_cmpint (casedb_case_row_get_id (row), ==, 1000 + i);
      g_assert_cmpint (casedb_case_list_model_get_id (model, i), ==, 1000 + i);
      g_assert_cmpstr (casedb_case_row_get_code (row), ==, code);
      g_assert_cmpstr (casedb_case_list_model_get_code (model, i), ==, code);
      g_assert_cmpstr (casedb_case_row_get_reference (row), ==, i % 3 == 0 ? NULL : ref);
      g_assert_cmpstr (casedb_case_row_get_incident_date (row), ==, i % 5 == 0 ? NULL : "2024-02-03");
      /* More regions than the model keeps once: each still right. */
      g_assert_cmpstr (casedb_case_row_get_region (row), ==, i % 7 == 0 ? NULL : region);
      g_assert_cmpuint (casedb_case_row_get_violation_mask (row), ==, (i % 63) + 1);
      g_assert_cmpuint (casedb_case_row_get_n_victims (row), ==, i % 4);
      g_assert_cmpint (casedb_case_row_get_verification (row), ==, i % 3);
      g_assert_cmpint (casedb_case_row_get_draft (row), ==, i % 2 == 0);
      g_assert_cmpint (casedb_case_row_get_needs_followup (row), ==, i % 3 == 1);
      g_assert_cmpstr (casedb_case_row_get_summary (row), ==, i % 11 == 0 ? NULL : "Coded summary");
    }
  g_assert_null (g_list_model_get_item (list, 1000));
  /* Filled before anyone looked: no signal. */
  g_assert_cmpuint (n_signals, ==, 0);

  /* Properties (what GtkColumnView's expressions read) agree. */
  {
    g_autoptr(CasedbCaseRow) row = g_list_model_get_item (list, 4);
    g_autofree char *code = NULL;
    g_autofree char *region = NULL;
    guint n_victims = 99;

    g_object_get (row, "code", &code, "region", &region, "n-victims", &n_victims, NULL);
    g_assert_cmpstr (code, ==, "C-2024-0005");
    g_assert_cmpstr (region, ==, "Region 4");
    g_assert_cmpuint (n_victims, ==, 0);
  }
}

/* A row shares the model's strings: it keeps the model alive, and the
 * model goes once the last row does. */
static void
test_row_outlives_model (void)
{
  CasedbCaseListModel *model = make_model (3);
  CasedbCaseRow *row;

  row = g_list_model_get_item (G_LIST_MODEL (model), 2);
  g_object_add_weak_pointer (G_OBJECT (model), (gpointer *) &model);
  g_object_unref (model);
  g_assert_nonnull (model);
  g_assert_cmpstr (casedb_case_row_get_code (row), ==, "C-2024-0003");
  g_assert_cmpstr (casedb_case_row_get_summary (row), ==, "Coded summary");
  g_assert_finalize_object (row);
  g_assert_null (model);
}

/* Once a row points into the pool, the pool must not move: appending is
 * refused. */
static void
test_frozen (void)
{
  g_autoptr(CasedbCaseListModel) model = make_model (2);
  g_autoptr(CasedbCaseRow) row = g_list_model_get_item (G_LIST_MODEL (model), 0);

  g_test_expect_message ("casedb-case-list-model", G_LOG_LEVEL_CRITICAL, "*frozen*");
  casedb_case_list_model_append (model, 9, "C-2024-0009", NULL, NULL, NULL, 0, 0,
                                 CASEDB_VERIFICATION_UNVERIFIED, FALSE, FALSE, NULL);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 2);
  g_assert_cmpstr (casedb_case_row_get_code (row), ==, "C-2024-0001");
}

/* An empty model, finished or not, is a valid empty list. */
static void
test_empty (void)
{
  g_autoptr(CasedbCaseListModel) model = casedb_case_list_model_new ();

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (model), 0));
  casedb_case_list_model_finish (model);
  casedb_case_list_model_finish (model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
}

int
main (int argc, char *argv[])
{
  casedb_test_init (&argc, &argv);

  g_test_add_func ("/case-list-model/rows", test_rows);
  g_test_add_func ("/case-list-model/row-outlives-model", test_row_outlives_model);
  g_test_add_func ("/case-list-model/frozen", test_frozen);
  g_test_add_func ("/case-list-model/empty", test_empty);

  return g_test_run ();
}
