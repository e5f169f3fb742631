/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-test-roles"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "casedb-test-util.h"

#define N_PERMS (CASEDB_PERM_VIEW_STATISTICS + 1)

/* The table written out independently of casedb-roles.c: a change there
 * that does not change this test is a change nobody reviewed. */
static const struct {
  CasedbRole role;
  gboolean   perms[N_PERMS];
  gboolean   identity_key;
} expected[] = {
  { CASEDB_ROLE_CASEWORKER,
    { TRUE, TRUE, TRUE, FALSE, FALSE, FALSE, FALSE, FALSE, FALSE, FALSE }, TRUE },
  { CASEDB_ROLE_ANALYST,
    { TRUE, FALSE, FALSE, FALSE, FALSE, FALSE, FALSE, FALSE, FALSE, TRUE }, FALSE },
  { CASEDB_ROLE_SUPERVISOR,
    { TRUE, TRUE, TRUE, TRUE, TRUE, TRUE, TRUE, TRUE, TRUE, TRUE }, TRUE },
};

static void
test_roles_table (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      for (guint p = 0; p < N_PERMS; p++)
        {
          if (casedb_role_allows (expected[i].role, p) != expected[i].perms[p])
            g_error ("role %s, permission %u: expected %d",
                     casedb_role_to_string (expected[i].role), p, expected[i].perms[p]);
        }
      g_assert_cmpint (casedb_role_holds_identity_key (expected[i].role), ==,
                       expected[i].identity_key);
    }
}

static void
test_roles_identity_key_matches_permission (void)
{
  /* A role that may read identities must hold the key, and only then. */
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpint (casedb_role_allows (expected[i].role, CASEDB_PERM_READ_IDENTITY), ==,
                     casedb_role_holds_identity_key (expected[i].role));
}

static void
test_roles_strings (void)
{
  static const char * const keys[] = { "caseworker", "analyst", "supervisor" };
  CasedbRole role;

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_assert_true (casedb_role_from_string (keys[i], &role));
      g_assert_cmpint (role, ==, i);
      g_assert_cmpstr (casedb_role_to_string (role), ==, keys[i]);
      g_assert_nonnull (casedb_role_get_label (role));
      g_assert_cmpstr (casedb_role_get_label (role), !=, "");
    }

  role = CASEDB_ROLE_ANALYST;
  g_assert_false (casedb_role_from_string ("Supervisor", &role));
  g_assert_false (casedb_role_from_string ("admin", &role));
  g_assert_false (casedb_role_from_string ("", &role));
  g_assert_false (casedb_role_from_string (NULL, &role));
  g_assert_cmpint (role, ==, CASEDB_ROLE_ANALYST);
}

static void
test_roles_unknown_denied (void)
{
  for (guint p = 0; p < N_PERMS; p++)
    g_assert_false (casedb_role_allows ((CasedbRole) 42, p));
  g_assert_false (casedb_role_holds_identity_key ((CasedbRole) 42));
  g_assert_false (casedb_role_allows (CASEDB_ROLE_SUPERVISOR, (CasedbPermission) 99));
}

static void
test_roles_permission_labels (void)
{
  for (guint p = 0; p < N_PERMS; p++)
    {
      const char *label = casedb_permission_get_label (p);

      g_assert_nonnull (label);
      g_assert_cmpuint (strlen (label), >, 0);
    }
}

int
main (int argc, char *argv[])
{
  casedb_test_init (&argc, &argv);

  g_test_add_func ("/roles/table", test_roles_table);
  g_test_add_func ("/roles/identity-key", test_roles_identity_key_matches_permission);
  g_test_add_func ("/roles/strings", test_roles_strings);
  g_test_add_func ("/roles/unknown-denied", test_roles_unknown_denied);
  g_test_add_func ("/roles/permission-labels", test_roles_permission_labels);

  return g_test_run ();
}
