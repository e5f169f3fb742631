/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "casedb-store.h"

G_BEGIN_DECLS

#define CASEDB_TYPE_CASE_EDITOR (casedb_case_editor_get_type ())
G_DECLARE_FINAL_TYPE (CasedbCaseEditor, casedb_case_editor, CASEDB, CASE_EDITOR, AdwBin)

GtkWidget *casedb_case_editor_new          (CasedbStore      *store);
void       casedb_case_editor_load         (CasedbCaseEditor *self,
                                            gint64            case_id);
gboolean   casedb_case_editor_get_modified (CasedbCaseEditor *self);
void       casedb_case_editor_clear        (CasedbCaseEditor *self);

G_END_DECLS
