/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  CASEDB_ROLE_CASEWORKER,
  CASEDB_ROLE_ANALYST,
  CASEDB_ROLE_SUPERVISOR,
} CasedbRole;

/* What a role may do.  The one table of who-may-what lives in
 * casedb-roles.c; every core entry point checks it through
 * casedb_store_require() (or casedb_role_allows() before a store exists). */
typedef enum {
  CASEDB_PERM_READ_CODED,      /* coded records: lists, filters, counts, statistics */
  CASEDB_PERM_READ_IDENTITY,   /* identity fields and the code book (needs the identity key) */
  CASEDB_PERM_EDIT_CASES,      /* create, edit, delete cases, identities and consent */
  CASEDB_PERM_VERIFY_CASES,    /* set verification to "verified" */
  CASEDB_PERM_MANAGE_USERS,    /* add, remove, change role, reset password, rekey */
  CASEDB_PERM_EXPORT,          /* summaries, UN packages, transfers */
  CASEDB_PERM_BACKUP,          /* backups and restores */
  CASEDB_PERM_READ_AUDIT,      /* read and verify the audit log */
  CASEDB_PERM_WIPE,            /* emergency wipe */
  CASEDB_PERM_VIEW_STATISTICS, /* the Statistics page (counts by month, region, sex) */
} CasedbPermission;

gboolean    casedb_role_allows         (CasedbRole        role,
                                        CasedbPermission  perm);
/* Whether the role's key slot holds the identity key. */
gboolean    casedb_role_holds_identity_key (CasedbRole role);
const char *casedb_role_to_string      (CasedbRole        role);   /* "caseworker" … (stable key) */
gboolean    casedb_role_from_string    (const char       *str,
                                        CasedbRole       *role);
const char *casedb_role_get_label      (CasedbRole        role);   /* translated */
const char *casedb_permission_get_label (CasedbPermission perm);   /* translated, for errors */

G_END_DECLS
