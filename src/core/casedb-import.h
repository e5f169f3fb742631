/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "casedb-store.h"

G_BEGIN_DECLS

/* One problem found in an import file: where and what (translated). */
typedef struct {
  guint  line;     /* physical line where the record starts, 1-based */
  char  *column;   /* column name, or NULL */
  char  *message;  /* translated, complete sentence */
} CasedbImportProblem;
void casedb_import_problem_free (CasedbImportProblem *p);

/*
 * Parses a CSV (UTF-8, RFC 4180, header row, columns by name, see README)
 * into cases without storing anything.  Every bad row is reported in
 * @problems (GUI preview).  Returns the cases (element-type CasedbCase) when
 * there are no problems, else NULL and sets @error to the first problem
 * (CASEDB_ERROR_INVALID_INPUT, "FILE:LINE: column 'X': …").
 * Perpetrator and source names that are not codes are mapped to codes when
 * stored.
 */
GPtrArray *casedb_import_parse_csv (const char *data, gsize len, const char *filename,
                                    GPtrArray **problems, GError **error);

/* Parses and stores a CSV file in one transaction: all of its cases or none.
 * A case_ref already stored is an error.  Audited. */
gboolean   casedb_import_csv_file  (CasedbStore *store, const char *path,
                                    guint *n_cases, GError **error);

G_END_DECLS
