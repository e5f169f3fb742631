/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-test"

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
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

/* ---- sorting ---- */

typedef struct
{
  guint  n_signals;
  guint  position;
  guint  removed;
  guint  added;
} Changes;

static void
record_changes_cb (GListModel *model,
                   guint       position,
                   guint       removed,
                   guint       added,
                   Changes    *changes)
{
  changes->n_signals++;
  changes->position = position;
  changes->removed = removed;
  changes->added = added;
}

/* Names users sort: Arabic, French with accents, one name in two cases,
 * so that mixed scripts and ties both occur; NULL is a missing field. */
static const char * const sort_regions[] = {
  "نينوى", "الأنبار", "بغداد", "دهوك", "Équateur", "Est", "est", "Nord-Kivu", "Ituri", NULL,
};
static const char * const sort_references[] = {
  "مرجع-٢", "مرجع-١", "RÉF-é", "REF-e", "ref-a", "REF-A", "", NULL,
};

/* Rows appended in no particular order: codes of two years with numbers
 * past four digits, few distinct values per field (many ties), missing
 * fields. */
static CasedbCaseListModel *
make_sort_model (guint n)
{
  CasedbCaseListModel *model = casedb_case_list_model_new ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240611);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *code = g_strdup_printf ("C-%u-%04d", g_rand_boolean (rand) ? 2023 : 2024,
                                               g_rand_int_range (rand, 1, 12000));
      g_autofree char *date = g_strdup_printf ("20%02d-%02d-%02d", g_rand_int_range (rand, 23, 25),
                                               g_rand_int_range (rand, 1, 13),
                                               g_rand_int_range (rand, 1, 4));
      const char *reference = sort_references[g_rand_int_range (rand, 0, G_N_ELEMENTS (sort_references))];
      const char *region = sort_regions[g_rand_int_range (rand, 0, G_N_ELEMENTS (sort_regions))];
      gboolean has_date = g_rand_int_range (rand, 0, 8) != 0;
      guint mask = g_rand_int_range (rand, 0, 1 << CASEDB_N_VIOLATIONS);
      guint n_victims = g_rand_int_range (rand, 0, 5);
      CasedbVerification verification = g_rand_int_range (rand, 0, 3);
      gboolean draft = g_rand_boolean (rand);

      casedb_case_list_model_append (model, 1 + i, code, reference, has_date ? date : NULL,
                                     region, mask, n_victims, verification, draft,
                                     FALSE, NULL);
    }
  casedb_case_list_model_finish (model);
  return model;
}

typedef struct
{
  CasedbCaseRow     *row;
  guint              appended;   /* its position before any sort */
  CasedbCaseSortKey  key;
  gboolean           descending;
} Expected;

static int
compare_texts (const char *a,
               const char *b)
{
  if (a == NULL || b == NULL)
    return (a != NULL) - (b != NULL);
  return g_utf8_collate (a, b);
}

static int
compare_numbers (guint64 a,
                 guint64 b)
{
  return (a > b) - (a < b);
}

/* The year as a number, then the number of digits, then the text. */
static int
compare_code (const char *a,
              const char *b)
{
  int r = compare_numbers (g_ascii_strtoull (a + 2, NULL, 10), g_ascii_strtoull (b + 2, NULL, 10));

  if (r == 0)
    r = compare_numbers (strlen (a), strlen (b));
  return r != 0 ? r : strcmp (a, b);
}

static guint64
date_number (const char *date)
{
  guint year = 0, month = 0, day = 0;

  g_assert_cmpint (sscanf (date, "%u-%u-%u", &year, &month, &day), ==, 3);
  return year * 10000 + month * 100 + day;
}

static char *
dup_violations (CasedbCaseRow *row)
{
  char *text = NULL;

  g_object_get (row, "violations", &text, NULL);
  return text;
}

/* Independent of the model: the rows' properties (what the column view's
 * sorters used to read), g_utf8_collate() and qsort by another way. */
static int
compare_expected (gconstpointer a,
                  gconstpointer b)
{
  const Expected *ea = a;
  const Expected *eb = b;
  int r = 0;

  switch (ea->key)
    {
    case CASEDB_CASE_SORT_CODE:
      r = compare_code (casedb_case_row_get_code (ea->row), casedb_case_row_get_code (eb->row));
      break;

    case CASEDB_CASE_SORT_REFERENCE:
      r = compare_texts (casedb_case_row_get_reference (ea->row), casedb_case_row_get_reference (eb->row));
      break;

    case CASEDB_CASE_SORT_INCIDENT_DATE:
      {
        const char *da = casedb_case_row_get_incident_date (ea->row);
        const char *db = casedb_case_row_get_incident_date (eb->row);

        if (da == NULL || db == NULL)
          r = (da != NULL) - (db != NULL);
        else
          r = compare_numbers (date_number (da), date_number (db));
      }
      break;

    case CASEDB_CASE_SORT_REGION:
      r = compare_texts (casedb_case_row_get_region (ea->row), casedb_case_row_get_region (eb->row));
      break;

    case CASEDB_CASE_SORT_VIOLATIONS:
      {
        g_autofree char *va = dup_violations (ea->row);
        g_autofree char *vb = dup_violations (eb->row);

        r = compare_texts (va, vb);
      }
      break;

    case CASEDB_CASE_SORT_VICTIMS:
      r = compare_numbers (casedb_case_row_get_n_victims (ea->row), casedb_case_row_get_n_victims (eb->row));
      break;

    case CASEDB_CASE_SORT_VERIFICATION:
      r = compare_numbers (casedb_case_row_get_verification (ea->row),
                           casedb_case_row_get_verification (eb->row));
      break;

    case CASEDB_CASE_SORT_DRAFT:
      r = compare_numbers (casedb_case_row_get_draft (ea->row), casedb_case_row_get_draft (eb->row));
      break;

    case CASEDB_N_CASE_SORT_KEYS:
    default:
      g_assert_not_reached ();
    }

  if (ea->descending)
    r = -r;
  /* Ties keep the order appended, in both directions. */
  return r != 0 ? r : compare_numbers (ea->appended, eb->appended);
}

/* Sorts @model, still in the order appended, by every key both ways and
 * checks each order against an independent sort of the same rows. */
static void
check_every_key (CasedbCaseListModel *model)
{
  GListModel *list = G_LIST_MODEL (model);
  guint n = g_list_model_get_n_items (list);
  g_autofree Expected *expected = g_new0 (Expected, n);
  Changes changes = { 0 };
  guint64 n_made;
  guint n_ties = 0;

  for (guint i = 0; i < n; i++)
    {
      expected[i].row = g_list_model_get_item (list, i);
      expected[i].appended = i;
    }

  g_signal_connect (model, "items-changed", G_CALLBACK (record_changes_cb), &changes);
  for (CasedbCaseSortKey key = 0; key < CASEDB_N_CASE_SORT_KEYS; key++)
    for (guint descending = 0; descending < 2; descending++)
      {
        g_autofree Expected *sorted = g_memdup2 (expected, n * sizeof (Expected));

        for (guint i = 0; i < n; i++)
          {
            sorted[i].key = key;
            sorted[i].descending = descending;
          }
        qsort (sorted, n, sizeof (Expected), compare_expected);

        changes = (Changes) { 0 };
        n_made = casedb_case_list_model_get_n_made (model);
        casedb_case_list_model_sort (model, key, descending);
        /* Sorting reads the records: no row object per case. */
        g_assert_cmpuint (casedb_case_list_model_get_n_made (model), ==, n_made);
        g_assert_cmpuint (changes.n_signals, ==, 1);
        g_assert_cmpuint (changes.position, ==, 0);
        g_assert_cmpuint (changes.removed, ==, n);
        g_assert_cmpuint (changes.added, ==, n);
        g_assert_cmpuint (g_list_model_get_n_items (list), ==, n);

        for (guint i = 0; i < n; i++)
          {
            g_autoptr(CasedbCaseRow) row = g_list_model_get_item (list, i);
            gint64 id = casedb_case_row_get_id (sorted[i].row);

            if (casedb_case_list_model_get_id (model, i) != id)
              g_error ("key %d %s: row %u is case %" G_GINT64_FORMAT ", expected %" G_GINT64_FORMAT,
                       key, descending ? "descending" : "ascending", i,
                       casedb_case_list_model_get_id (model, i), id);
            g_assert_cmpint (casedb_case_row_get_id (row), ==, id);
            g_assert_cmpstr (casedb_case_list_model_get_code (model, i), ==,
                             casedb_case_row_get_code (sorted[i].row));
            g_assert_cmpstr (casedb_case_row_get_region (row), ==,
                             casedb_case_row_get_region (sorted[i].row));
            if (i > 0)
              {
                sorted[i - 1].descending = !descending;
                sorted[i].descending = !descending;
                /* A tie: same position both ways, kept in code order. */
                if (compare_expected (&sorted[i - 1], &sorted[i]) < 0
                    && sorted[i - 1].appended < sorted[i].appended)
                  n_ties++;
                sorted[i - 1].descending = descending;
                sorted[i].descending = descending;
              }
          }
      }

  /* The data had ties for stability to be tested on. */
  g_assert_cmpuint (n_ties, >, n);

  g_signal_handlers_disconnect_by_func (model, record_changes_cb, &changes);
  for (guint i = 0; i < n; i++)
    g_object_unref (expected[i].row);
}

static void
test_sort_keys (void)
{
  g_autoptr(CasedbCaseListModel) model = make_sort_model (3000);

  check_every_key (model);
}

/* Stable: rows equal by the key keep the store's (code) order, in both
 * directions, and whatever order they were in before. */
static void
test_sort_stable (void)
{
  g_autoptr(CasedbCaseListModel) model = casedb_case_list_model_new ();
  const char *ascending[] = { "C-2024-0002", "C-2024-0004", "C-2024-0001", "C-2024-0003",
                              "C-2024-0005" };
  const char *descending[] = { "C-2024-0001", "C-2024-0003", "C-2024-0005", "C-2024-0002",
                               "C-2024-0004" };

  for (guint i = 1; i <= 5; i++)
    {
      g_autofree char *code = g_strdup_printf ("C-2024-%04u", i);

      casedb_case_list_model_append (model, i, code, NULL, NULL, i % 2 ? "بغداد" : "الأنبار",
                                     1, i % 2, CASEDB_VERIFICATION_PENDING, FALSE, FALSE, NULL);
    }

  casedb_case_list_model_sort (model, CASEDB_CASE_SORT_REGION, FALSE);
  for (guint i = 0; i < 5; i++)
    g_assert_cmpstr (casedb_case_list_model_get_code (model, i), ==, ascending[i]);

  /* From a sorted order, not from the store's. */
  casedb_case_list_model_sort (model, CASEDB_CASE_SORT_VICTIMS, TRUE);
  for (guint i = 0; i < 5; i++)
    g_assert_cmpstr (casedb_case_list_model_get_code (model, i), ==, descending[i]);

  /* All equal: the store's order, either way. */
  for (guint d = 0; d < 2; d++)
    {
      casedb_case_list_model_sort (model, CASEDB_CASE_SORT_VERIFICATION, d);
      for (guint i = 0; i < 5; i++)
        g_assert_cmpint (casedb_case_list_model_get_id (model, i), ==, i + 1);
    }
}

/* Arabic and French names, as a reader of either would look them up. */
static void
test_sort_arabic (void)
{
  g_autoptr(CasedbCaseListModel) model = casedb_case_list_model_new ();
  /* Alif, ba, dal, nun: the alphabet's order, whatever the locale. */
  const char *regions[] = { "نينوى", "دهوك", "الأنبار", "بغداد" };
  const char *expected[] = { "الأنبار", "بغداد", "دهوك", "نينوى" };
  const char *references[] = { "مرجع-١٢", "مرجع-٢", "مرجع-١" };

  for (guint i = 0; i < G_N_ELEMENTS (regions); i++)
    {
      g_autofree char *code = g_strdup_printf ("C-2024-%04u", i + 1);

      casedb_case_list_model_append (model, i + 1, code,
                                     i < G_N_ELEMENTS (references) ? references[i] : NULL,
                                     NULL, regions[i], 0, 0,
                                     CASEDB_VERIFICATION_UNVERIFIED, FALSE, FALSE, NULL);
    }

  casedb_case_list_model_sort (model, CASEDB_CASE_SORT_REGION, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(CasedbCaseRow) row = g_list_model_get_item (G_LIST_MODEL (model), i);

      g_assert_cmpstr (casedb_case_row_get_region (row), ==, expected[i]);
    }

  casedb_case_list_model_sort (model, CASEDB_CASE_SORT_REGION, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(CasedbCaseRow) row = g_list_model_get_item (G_LIST_MODEL (model), i);

      g_assert_cmpstr (casedb_case_row_get_region (row), ==, expected[G_N_ELEMENTS (expected) - 1 - i]);
    }

  /* Missing first; Arabic-Indic digits as text: ١ < ١٢ < ٢. */
  casedb_case_list_model_sort (model, CASEDB_CASE_SORT_REFERENCE, FALSE);
  g_assert_cmpint (casedb_case_list_model_get_id (model, 0), ==, 4);
  g_assert_cmpint (casedb_case_list_model_get_id (model, 1), ==, 3);
  g_assert_cmpint (casedb_case_list_model_get_id (model, 2), ==, 1);
  g_assert_cmpint (casedb_case_list_model_get_id (model, 3), ==, 2);
}

/* In a French locale (when installed) "Équateur" sorts with the E's. */
static void
test_sort_french (void)
{
  g_autoptr(CasedbCaseListModel) model = casedb_case_list_model_new ();
  g_autofree char *saved = g_strdup (setlocale (LC_COLLATE, NULL));
  const char *regions[] = { "Ituri", "Équateur", "Est", "Bas-Uele" };
  const char *expected[] = { "Bas-Uele", "Équateur", "Est", "Ituri" };

  if (setlocale (LC_COLLATE, "fr_FR.UTF-8") == NULL)
    {
      g_test_skip ("fr_FR.UTF-8 is not installed");
      return;
    }

  for (guint i = 0; i < G_N_ELEMENTS (regions); i++)
    {
      g_autofree char *code = g_strdup_printf ("C-2024-%04u", i + 1);

      casedb_case_list_model_append (model, i + 1, code, NULL, NULL, regions[i], 0, 0,
                                     CASEDB_VERIFICATION_UNVERIFIED, FALSE, FALSE, NULL);
    }
  casedb_case_list_model_sort (model, CASEDB_CASE_SORT_REGION, FALSE);
  setlocale (LC_COLLATE, saved);

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(CasedbCaseRow) row = g_list_model_get_item (G_LIST_MODEL (model), i);

      g_assert_cmpstr (casedb_case_row_get_region (row), ==, expected[i]);
    }
}

/* The store's own list: code ascending is the order it came in, and every
 * key agrees with the independent sort on cases the demo generator made. */
static void
test_sort_store_list (void)
{
  g_autofree char *dir = casedb_test_mkdtemp ();
  g_autofree char *path = g_build_filename (dir, "sort.casedb", NULL);
  g_autoptr(CasedbStore) store = casedb_test_create_store (path, "sara", "supervisor-pass-8213");
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) list = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  CasedbCaseListModel *model;

  g_assert_true (casedb_demo_populate (store, 400, 11, &error));
  g_assert_no_error (error);
  list = casedb_store_list_cases (store, NULL, &error);
  g_assert_no_error (error);
  model = CASEDB_CASE_LIST_MODEL (list);
  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      gint64 id = casedb_case_list_model_get_id (model, i);

      g_array_append_val (ids, id);
    }

  casedb_case_list_model_sort (model, CASEDB_CASE_SORT_REGION, TRUE);
  casedb_case_list_model_sort (model, CASEDB_CASE_SORT_CODE, FALSE);
  for (guint i = 0; i < ids->len; i++)
    g_assert_cmpint (casedb_case_list_model_get_id (model, i), ==, g_array_index (ids, gint64, i));

  check_every_key (model);

  casedb_store_close (store);
  casedb_test_rmtree (dir);
}

/* A copy of a row in sorted order carries that row. */
static void
test_append_from (void)
{
  g_autoptr(CasedbCaseListModel) source = make_model (30);
  g_autoptr(CasedbCaseListModel) copy = casedb_case_list_model_new ();

  casedb_case_list_model_sort (source, CASEDB_CASE_SORT_VICTIMS, TRUE);
  for (guint i = 0; i < 30; i += 3)
    casedb_case_list_model_append_from (copy, source, i);
  casedb_case_list_model_finish (copy);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (copy)), ==, 10);
  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(CasedbCaseRow) a = g_list_model_get_item (G_LIST_MODEL (copy), i);
      g_autoptr(CasedbCaseRow) b = g_list_model_get_item (G_LIST_MODEL (source), i * 3);

      g_assert_cmpint (casedb_case_row_get_id (a), ==, casedb_case_row_get_id (b));
      g_assert_cmpstr (casedb_case_row_get_code (a), ==, casedb_case_row_get_code (b));
      g_assert_cmpstr (casedb_case_row_get_reference (a), ==, casedb_case_row_get_reference (b));
      g_assert_cmpstr (casedb_case_row_get_incident_date (a), ==, casedb_case_row_get_incident_date (b));
      g_assert_cmpstr (casedb_case_row_get_region (a), ==, casedb_case_row_get_region (b));
      g_assert_cmpstr (casedb_case_row_get_summary (a), ==, casedb_case_row_get_summary (b));
      g_assert_cmpuint (casedb_case_row_get_violation_mask (a), ==, casedb_case_row_get_violation_mask (b));
      g_assert_cmpuint (casedb_case_row_get_n_victims (a), ==, casedb_case_row_get_n_victims (b));
      g_assert_cmpint (casedb_case_row_get_verification (a), ==, casedb_case_row_get_verification (b));
      g_assert_cmpint (casedb_case_row_get_draft (a), ==, casedb_case_row_get_draft (b));
      g_assert_cmpint (casedb_case_row_get_needs_followup (a), ==, casedb_case_row_get_needs_followup (b));
    }

  /* An empty model sorts to nothing, silently. */
  {
    g_autoptr(CasedbCaseListModel) empty = casedb_case_list_model_new ();
    Changes changes = { 0 };

    g_signal_connect (empty, "items-changed", G_CALLBACK (record_changes_cb), &changes);
    casedb_case_list_model_sort (empty, CASEDB_CASE_SORT_REGION, TRUE);
    g_assert_cmpuint (changes.n_signals, ==, 0);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (empty)), ==, 0);
  }
}

int
main (int argc, char *argv[])
{
  casedb_test_init (&argc, &argv);

  g_test_add_func ("/case-list-model/rows", test_rows);
  g_test_add_func ("/case-list-model/row-outlives-model", test_row_outlives_model);
  g_test_add_func ("/case-list-model/frozen", test_frozen);
  g_test_add_func ("/case-list-model/empty", test_empty);
  g_test_add_func ("/case-list-model/sort-keys", test_sort_keys);
  g_test_add_func ("/case-list-model/sort-stable", test_sort_stable);
  g_test_add_func ("/case-list-model/sort-arabic", test_sort_arabic);
  g_test_add_func ("/case-list-model/sort-french", test_sort_french);
  g_test_add_func ("/case-list-model/sort-store-list", test_sort_store_list);
  g_test_add_func ("/case-list-model/append-from", test_append_from);

  return g_test_run ();
}
