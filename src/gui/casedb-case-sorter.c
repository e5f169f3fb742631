/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-gui"

#include "config.h"

#include <glib/gi18n.h>

#include "casedb-case-sorter.h"

struct _CasedbCaseSorter
{
  GtkSorter          parent_instance;

  CasedbCaseSortKey  key;
};

G_DEFINE_FINAL_TYPE (CasedbCaseSorter, casedb_case_sorter, GTK_TYPE_SORTER)

/* Set on the first of the two items of a probe: the sorter asked first. */
#define PROBE_KEY "casedb-case-sorter-probe"

static GtkOrdering
casedb_case_sorter_compare (GtkSorter *sorter,
                            gpointer   item1,
                            gpointer   item2)
{
  CasedbCaseSorter *self = CASEDB_CASE_SORTER (sorter);
  CasedbCaseSorter **first = g_object_get_data (G_OBJECT (item1), PROBE_KEY);

  /* The column view's sorter asks its columns primary first and stops at
   * the first answer that is not EQUAL: this one is the primary. */
  if (first != NULL && *first == NULL)
    *first = self;

  return GTK_ORDERING_SMALLER;
}

static GtkSorterOrder
casedb_case_sorter_get_order (GtkSorter *sorter)
{
  /* Not NONE, or the column view's sorter says "unsorted" whatever the
   * user clicked. */
  return GTK_SORTER_ORDER_PARTIAL;
}

static void
casedb_case_sorter_class_init (CasedbCaseSorterClass *klass)
{
  GtkSorterClass *sorter_class = GTK_SORTER_CLASS (klass);

  sorter_class->compare = casedb_case_sorter_compare;
  sorter_class->get_order = casedb_case_sorter_get_order;
}

static void
casedb_case_sorter_init (CasedbCaseSorter *self)
{
}

/**
 * casedb_case_sorter_new:
 * @key: what the column's rows are sorted by
 *
 * Returns: (transfer full): a new sorter
 */
GtkSorter *
casedb_case_sorter_new (CasedbCaseSortKey key)
{
  CasedbCaseSorter *self;

  g_return_val_if_fail (key < CASEDB_N_CASE_SORT_KEYS, NULL);

  self = g_object_new (CASEDB_TYPE_CASE_SORTER, NULL);
  self->key = key;

  return GTK_SORTER (self);
}

CasedbCaseSortKey
casedb_case_sorter_get_key (CasedbCaseSorter *self)
{
  g_return_val_if_fail (CASEDB_IS_CASE_SORTER (self), CASEDB_CASE_SORT_CODE);

  return self->key;
}

gboolean
casedb_case_sorter_get_primary (GtkColumnView     *column_view,
                                CasedbCaseSortKey *key,
                                gboolean          *descending)
{
  GtkSorter *sorter;

  g_return_val_if_fail (GTK_IS_COLUMN_VIEW (column_view), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (descending != NULL, FALSE);

  sorter = gtk_column_view_get_sorter (column_view);
  if (sorter == NULL || gtk_sorter_get_order (sorter) == GTK_SORTER_ORDER_NONE)
    return FALSE;

#if GTK_CHECK_VERSION (4, 10, 0)
  {
    GtkColumnViewSorter *view_sorter = GTK_COLUMN_VIEW_SORTER (sorter);
    GtkColumnViewColumn *column = gtk_column_view_sorter_get_primary_sort_column (view_sorter);
    GtkSorter *column_sorter = column != NULL ? gtk_column_view_column_get_sorter (column) : NULL;

    if (!CASEDB_IS_CASE_SORTER (column_sorter))
      return FALSE;

    *key = CASEDB_CASE_SORTER (column_sorter)->key;
    *descending = gtk_column_view_sorter_get_primary_sort_order (view_sorter) == GTK_SORT_DESCENDING;
    return TRUE;
  }
#else
  {
    /* GTK 4.8 does not say which column is the primary one: ask the view's
     * sorter to compare two items and see which column sorter it asks
     * first, and whether it turns that sorter's answer round. */
    g_autoptr(GObject) item1 = g_object_new (G_TYPE_OBJECT, NULL);
    g_autoptr(GObject) item2 = g_object_new (G_TYPE_OBJECT, NULL);
    CasedbCaseSorter *first = NULL;
    GtkOrdering ordering;

    g_object_set_data (item1, PROBE_KEY, &first);
    ordering = gtk_sorter_compare (sorter, item1, item2);
    g_object_set_data (item1, PROBE_KEY, NULL);

    if (first == NULL || ordering == GTK_ORDERING_EQUAL)
      return FALSE;

    *key = first->key;
    *descending = ordering == GTK_ORDERING_LARGER;
    return TRUE;
  }
#endif
}
