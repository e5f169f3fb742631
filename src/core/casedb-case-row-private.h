/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "casedb-case-row.h"

G_BEGIN_DECLS

/* A row whose strings live in @owner's immutable storage: nothing is copied,
 * @owner is kept alive (a reference) as long as the row.  For
 * CasedbCaseListModel, which makes a row each time a view asks for one. */
CasedbCaseRow *casedb_case_row_new_borrowed (GObject            *owner,
                                             gint64              id,
                                             const char         *code,
                                             const char         *reference,
                                             const char         *incident_date,
                                             const char         *region,
                                             guint               violation_mask,
                                             guint               n_victims,
                                             CasedbVerification  verification,
                                             gboolean            draft,
                                             gboolean            needs_followup,
                                             const char         *summary);

G_END_DECLS
