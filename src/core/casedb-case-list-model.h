/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "casedb-case-row.h"

G_BEGIN_DECLS

/*
 * CasedbCaseListModel: the case list as casedb_store_list_cases() returns it.
 * A GListModel of CasedbCaseRow that holds its rows as compact records over
 * one string pool and makes each CasedbCaseRow only when get_item() asks for
 * it, so that listing 100,000 cases does not create 100,000 objects: a view
 * asks for the few dozen rows it shows.  Coded fields only.
 *
 * Items are made on demand and not kept: two get_item() calls for one
 * position may return two objects with equal contents.  An item shares the
 * model's strings and keeps the model alive.
 */
#define CASEDB_TYPE_CASE_LIST_MODEL (casedb_case_list_model_get_type ())
G_DECLARE_FINAL_TYPE (CasedbCaseListModel, casedb_case_list_model, CASEDB, CASE_LIST_MODEL, GObject)

CasedbCaseListModel *casedb_case_list_model_new    (void);
/* Appends a row.  Only while the model is being filled, before anyone sees
 * it: no items-changed is emitted, and once finished (or once an item was
 * asked for) the model is frozen. */
void                 casedb_case_list_model_append (CasedbCaseListModel *self,
                                                    gint64               id,
                                                    const char          *code,
                                                    const char          *reference,
                                                    const char          *incident_date,
                                                    const char          *region,
                                                    guint                violation_mask,
                                                    guint                n_victims,
                                                    CasedbVerification   verification,
                                                    gboolean             draft,
                                                    gboolean             needs_followup,
                                                    const char          *summary);
/* Ends the filling: frees the spare room and freezes the model. */
void                 casedb_case_list_model_finish (CasedbCaseListModel *self);

/* Without making a row object: for code that walks every row. */
gint64               casedb_case_list_model_get_id   (CasedbCaseListModel *self,
                                                      guint                position);
const char          *casedb_case_list_model_get_code (CasedbCaseListModel *self,
                                                      guint                position);

G_END_DECLS
