/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "casedb-core.h"

G_BEGIN_DECLS

/* Call first in main(): g_test_init + casedb_core_init. */
void         casedb_test_init (int *argc, char ***argv);
/* A fresh private temporary folder, removed with its files by casedb_test_rmtree. */
char        *casedb_test_mkdtemp (void);
void         casedb_test_rmtree (const char *dir);
/* Creates a database with a cheap Argon2id cost (tests only). */
CasedbStore *casedb_test_create_store (const char *db_path, const char *admin,
                                       const char *password);
/* Adds a user with the cheap cost. */
void         casedb_test_add_user (CasedbStore *store, const char *user, CasedbRole role,
                                   const char *password);
/* The single integer a query such as "SELECT count(*) FROM codebook" gives,
 * read straight from the store's SQLite connection. */
gint64       casedb_test_sql_int (CasedbStore *store, const char *sql);
/* Whether @needle appears as bytes in @path (UTF-8, and UTF-16LE/BE too). */
gboolean     casedb_test_file_contains (const char *path, const char *needle);
/* Name of the first file directly in @dir containing @needle, or NULL. (transfer full) */
char        *casedb_test_dir_find (const char *dir, const char *needle);
/* Fills a case with valid coded fields (no identities). (transfer full) */
CasedbCase  *casedb_test_make_case (const char *reference, const char *incident_date,
                                    CasedbViolationKind kind);

/* Runs casedb-tool (path in $CASEDB_TOOL) with the NULL-terminated
 * arguments, @input on stdin; returns its exit status.  A tool killed by a
 * signal fails the test: a crash is never an answer.  @out and @err may be
 * NULL. */
int          casedb_test_run_tool (const char *input, char **out, char **err,
                                   ...) G_GNUC_NULL_TERMINATED;

G_END_DECLS
