/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "casedb-store.h"

G_BEGIN_DECLS

/* The demo database: realistic, clearly fictional cases (fictional places,
 * names marked as fictional), one user per role with a published password. */
typedef struct {
  const char *user;
  const char *password;
  CasedbRole  role;
} CasedbDemoUser;

/* (transfer none) the three demo users, supervisor first. */
const CasedbDemoUser *casedb_demo_get_users (guint *n_users);

/* Creates the demo database at @db_path if it does not exist yet. */
gboolean casedb_demo_ensure   (const char *db_path, GError **error);

/* Adds @n_cases synthetic cases generated from @seed (deterministic), in
 * one transaction with one "import" audit entry, generated and stored one at
 * a time (casedb_store_save_cases_from) so that memory stays flat even for a
 * million cases; with identities when the store's role holds the identity
 * key.  Used by the demo, the benchmark and tests. */
gboolean casedb_demo_populate (CasedbStore *store, guint n_cases, guint32 seed,
                               GError **error);

G_END_DECLS
