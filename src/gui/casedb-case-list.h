/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "casedb-store.h"

G_BEGIN_DECLS

/*
 * CasedbCaseList: the Cases page.  A sidebar of categories with counts, a
 * search entry and filters over a GtkColumnView of coded case rows, and the
 * case editor in the content pane.
 */
#define CASEDB_TYPE_CASE_LIST (casedb_case_list_get_type ())
G_DECLARE_FINAL_TYPE (CasedbCaseList, casedb_case_list, CASEDB, CASE_LIST, AdwBin)

GtkWidget  *casedb_case_list_new                  (CasedbStore         *store);
/* Reloads counts, regions and rows from the store. */
void        casedb_case_list_refresh              (CasedbCaseList      *self);
/* Opens the editor on a new case / on case @id (asks first about unsaved changes). */
void        casedb_case_list_new_case             (CasedbCaseList      *self);
void        casedb_case_list_open_case            (CasedbCaseList      *self,
                                                   gint64               id);
void        casedb_case_list_focus_search         (CasedbCaseList      *self);
/* Whether the editor holds unsaved changes. */
gboolean    casedb_case_list_get_modified         (CasedbCaseList      *self);
/* Asks Save / Discard / Cancel when the editor holds unsaved changes;
 * finishes with TRUE when the case may be left. */
void        casedb_case_list_confirm_leave_async  (CasedbCaseList      *self,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean    casedb_case_list_confirm_leave_finish (CasedbCaseList      *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);
/* Wipes the editor, the search text and the rows, and drops the store:
 * called when the window locks. */
void        casedb_case_list_clear                (CasedbCaseList      *self);
/* (transfer none) the rows shown, sorted as shown. */
GListModel *casedb_case_list_get_model            (CasedbCaseList      *self);

G_END_DECLS
