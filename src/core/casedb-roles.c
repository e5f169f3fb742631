/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-roles"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "casedb-roles.h"

#define PERM(p) (1u << (p))

/* The one table of who may do what.  Analysts see coded records only and
 * never hold the identity key, so even a leaked analyst slot reveals no name. */
static const struct {
  const char *key;
  const char *label;
  guint       perms;
  gboolean    identity_key;
} roles[] = {
  [CASEDB_ROLE_CASEWORKER] = {
    "caseworker", N_("Caseworker"),
    PERM (CASEDB_PERM_READ_CODED) | PERM (CASEDB_PERM_READ_IDENTITY) | PERM (CASEDB_PERM_EDIT_CASES),
    TRUE,
  },
  [CASEDB_ROLE_ANALYST] = {
    "analyst", N_("Analyst"),
    PERM (CASEDB_PERM_READ_CODED) | PERM (CASEDB_PERM_VIEW_STATISTICS),
    FALSE,
  },
  [CASEDB_ROLE_SUPERVISOR] = {
    "supervisor", N_("Supervisor"),
    PERM (CASEDB_PERM_READ_CODED) | PERM (CASEDB_PERM_READ_IDENTITY) | PERM (CASEDB_PERM_EDIT_CASES) |
    PERM (CASEDB_PERM_VERIFY_CASES) | PERM (CASEDB_PERM_MANAGE_USERS) | PERM (CASEDB_PERM_EXPORT) |
    PERM (CASEDB_PERM_BACKUP) | PERM (CASEDB_PERM_READ_AUDIT) | PERM (CASEDB_PERM_WIPE) |
    PERM (CASEDB_PERM_VIEW_STATISTICS),
    TRUE,
  },
};

static const char * const perm_labels[] = {
  [CASEDB_PERM_READ_CODED] = N_("reading case records"),
  [CASEDB_PERM_READ_IDENTITY] = N_("reading identities"),
  [CASEDB_PERM_EDIT_CASES] = N_("editing cases"),
  [CASEDB_PERM_VERIFY_CASES] = N_("marking cases as verified"),
  [CASEDB_PERM_MANAGE_USERS] = N_("managing users and keys"),
  [CASEDB_PERM_EXPORT] = N_("exporting data"),
  [CASEDB_PERM_BACKUP] = N_("making or restoring backups"),
  [CASEDB_PERM_READ_AUDIT] = N_("reading the audit log"),
  [CASEDB_PERM_WIPE] = N_("wiping the database"),
  [CASEDB_PERM_VIEW_STATISTICS] = N_("viewing statistics"),
};

static gboolean
role_valid (CasedbRole role)
{
  return (guint) role < G_N_ELEMENTS (roles);
}

gboolean
casedb_role_allows (CasedbRole       role,
                    CasedbPermission perm)
{
  if (!role_valid (role) || (guint) perm >= G_N_ELEMENTS (perm_labels))
    return FALSE;

  return (roles[role].perms & PERM (perm)) != 0;
}

gboolean
casedb_role_holds_identity_key (CasedbRole role)
{
  return role_valid (role) && roles[role].identity_key;
}

const char *
casedb_role_to_string (CasedbRole role)
{
  g_return_val_if_fail (role_valid (role), NULL);

  return roles[role].key;
}

gboolean
casedb_role_from_string (const char *str,
                         CasedbRole *role)
{
  g_return_val_if_fail (role != NULL, FALSE);

  if (str == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    {
      if (g_strcmp0 (str, roles[i].key) == 0)
        {
          *role = (CasedbRole) i;
          return TRUE;
        }
    }

  return FALSE;
}

const char *
casedb_role_get_label (CasedbRole role)
{
  g_return_val_if_fail (role_valid (role), NULL);

  return _(roles[role].label);
}

const char *
casedb_permission_get_label (CasedbPermission perm)
{
  g_return_val_if_fail ((guint) perm < G_N_ELEMENTS (perm_labels), NULL);

  return _(perm_labels[perm]);
}
