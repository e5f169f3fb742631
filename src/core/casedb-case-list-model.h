/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "casedb-case-row.h"

G_BEGIN_DECLS

/* The fields the case list can be sorted by: the columns it shows. */
typedef enum {
  CASEDB_CASE_SORT_CODE,
  CASEDB_CASE_SORT_REFERENCE,
  CASEDB_CASE_SORT_INCIDENT_DATE,
  CASEDB_CASE_SORT_REGION,
  CASEDB_CASE_SORT_VIOLATIONS,
  CASEDB_CASE_SORT_VICTIMS,
  CASEDB_CASE_SORT_VERIFICATION,
  CASEDB_CASE_SORT_DRAFT,
  CASEDB_N_CASE_SORT_KEYS
} CasedbCaseSortKey;

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

/* How many row objects get_item() has made so far: for tests and timings
 * that check a view asks only for the rows it shows, not for every row. */
guint64              casedb_case_list_model_get_n_made (CasedbCaseListModel *self);

/* Appends a copy of @source's row at @position (in @source's current
 * order), under the same rules as casedb_case_list_model_append(). */
void                 casedb_case_list_model_append_from (CasedbCaseListModel *self,
                                                         CasedbCaseListModel *source,
                                                         guint                position);

/* Reorders the rows by @key without making a row object, then emits one
 * items-changed (0, n, n).  Texts compare as the user's locale collates
 * them; dates chronologically; counts, the verification status and the
 * draft flag numerically; codes in casedb_store_list_cases()'s order (year,
 * then number).  Ties, and rows without the field, keep the order in which
 * they were appended; with @descending the rows without it come last.
 * CASEDB_CASE_SORT_CODE ascending restores the store's order. */
void                 casedb_case_list_model_sort (CasedbCaseListModel *self,
                                                  CasedbCaseSortKey    key,
                                                  gboolean             descending);

G_END_DECLS
