/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "casedb-core.h"

G_BEGIN_DECLS

/*
 * CasedbCaseSorter: the sorter of one case list column.  It sorts nothing:
 * GTK 4.8 makes a column header clickable only when the column has a
 * sorter, and the list sorts CasedbCaseListModel itself (a GtkSortListModel
 * made a row object and a sort key for each of 100,000 cases, issue 5).
 * It carries the column's sort key, so that the column view's sorter can
 * tell which column the user chose: see casedb_case_sorter_get_primary().
 */
#define CASEDB_TYPE_CASE_SORTER (casedb_case_sorter_get_type ())
G_DECLARE_FINAL_TYPE (CasedbCaseSorter, casedb_case_sorter, CASEDB, CASE_SORTER, GtkSorter)

GtkSorter         *casedb_case_sorter_new         (CasedbCaseSortKey  key);
CasedbCaseSortKey  casedb_case_sorter_get_key     (CasedbCaseSorter  *self);

/* The key and direction of the primary sort column of @column_view, whose
 * columns have CasedbCaseSorters.  FALSE when the list is in its default
 * order (no column chosen). */
gboolean           casedb_case_sorter_get_primary (GtkColumnView     *column_view,
                                                   CasedbCaseSortKey *key,
                                                   gboolean          *descending);

G_END_DECLS
