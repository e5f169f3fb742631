/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "casedb-case.h"

G_BEGIN_DECLS

/* One line of the case list: coded fields only, cheap to hold 100,000 of.
 * Properties (read-only, for GtkColumnView expressions): code, reference,
 * incident-date, region, violations (translated labels joined by ", "),
 * violation-mask, n-victims, verification (translated label), draft,
 * needs-followup, summary. */
#define CASEDB_TYPE_CASE_ROW (casedb_case_row_get_type ())
G_DECLARE_FINAL_TYPE (CasedbCaseRow, casedb_case_row, CASEDB, CASE_ROW, GObject)

CasedbCaseRow     *casedb_case_row_new (gint64 id, const char *code, const char *reference,
                                        const char *incident_date, const char *region,
                                        guint violation_mask, guint n_victims,
                                        CasedbVerification verification, gboolean draft,
                                        gboolean needs_followup, const char *summary);
gint64             casedb_case_row_get_id             (CasedbCaseRow *self);
const char        *casedb_case_row_get_code           (CasedbCaseRow *self);
const char        *casedb_case_row_get_reference      (CasedbCaseRow *self);
const char        *casedb_case_row_get_incident_date  (CasedbCaseRow *self);
const char        *casedb_case_row_get_region         (CasedbCaseRow *self);
guint              casedb_case_row_get_violation_mask (CasedbCaseRow *self);
/* Violation keys joined by ";" (for CSV) */
char              *casedb_case_row_dup_violation_keys (CasedbCaseRow *self);
guint              casedb_case_row_get_n_victims      (CasedbCaseRow *self);
CasedbVerification casedb_case_row_get_verification   (CasedbCaseRow *self);
gboolean           casedb_case_row_get_draft          (CasedbCaseRow *self);
gboolean           casedb_case_row_get_needs_followup (CasedbCaseRow *self);
const char        *casedb_case_row_get_summary        (CasedbCaseRow *self);

G_END_DECLS
