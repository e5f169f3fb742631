/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-fuzz"

#include "config.h"

#include <glib/gstdio.h>

#include "casedb-core.h"

/* Writes the seed corpus (generated, so it follows the formats as they
 * change): fuzz-make-seeds DIR → DIR/keyslots, DIR/package, DIR/csv. */

static void
write_keyslots (const char *dir)
{
  g_autofree char *id = casedb_random_uuid ();
  g_autoptr(CasedbKeyslots) slots = casedb_keyslots_new (id);
  g_autoptr(CasedbKeyring) keys = casedb_keyring_new_random (TRUE);
  g_autoptr(CasedbKeyring) next = casedb_keyring_new_random (TRUE);
  g_autofree char *full = g_build_filename (dir, "three-slots-pending.keys", NULL);
  g_autofree char *single = g_build_filename (dir, "one-slot.keys", NULL);
  g_autoptr(GError) error = NULL;
  CasedbKdfParams params;

  casedb_kdf_params_testing (&params);
  if (!casedb_keyslots_add (slots, "fuzz", CASEDB_ROLE_SUPERVISOR, "fuzz-password", &params, keys, &error) ||
      !casedb_keyslots_save (slots, single, &error) ||
      !casedb_keyslots_add (slots, "karim", CASEDB_ROLE_CASEWORKER, "x", &params, keys, &error) ||
      !casedb_keyslots_add (slots, "lina", CASEDB_ROLE_ANALYST, "y", &params, keys, &error) ||
      !casedb_keyslots_stage_keyring (slots, next, &error))
    g_error ("%s", error->message);
  casedb_keyslots_note_failed_login (slots, "fuzz");
  casedb_keyslots_note_failed_login (slots, "unknown");
  if (!casedb_keyslots_save (slots, full, &error))
    g_error ("%s", error->message);
}

static void
write_package (const char *dir, const char *name, guint n_entries)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(CasedbPackageWriter) w = NULL;
  g_autoptr(GError) error = NULL;
  CasedbKdfParams params;

  casedb_kdf_params_testing (&params);
  g_unlink (path);
  w = casedb_package_writer_new (path, CASEDB_PACKAGE_TRANSFER, "fuzz-password", &params, &error);
  for (guint i = 0; w != NULL && i < n_entries; i++)
    {
      g_autofree char *entry = g_strdup_printf ("entry-%u.json", i);
      g_autofree char *body = g_strdup_printf ("{\"n\": %u}", i);

      if (!casedb_package_writer_add (w, entry, (const guint8 *) body, strlen (body), &error))
        break;
    }
  if (w == NULL || error != NULL || !casedb_package_writer_finish (w, &error))
    g_error ("%s", error->message);
}

int
main (int argc, char *argv[])
{
  g_autofree char *keyslots = NULL;
  g_autofree char *package = NULL;
  g_autofree char *stamp = NULL;

  if (argc != 2)
    {
      g_printerr ("usage: %s DIR\n", argv[0]);
      return 1;
    }
  if (!casedb_core_init (NULL))
    return 1;

  keyslots = g_build_filename (argv[1], "keyslots", NULL);
  package = g_build_filename (argv[1], "package", NULL);
  g_mkdir_with_parents (keyslots, 0700);
  g_mkdir_with_parents (package, 0700);

  write_keyslots (keyslots);
  write_package (package, "empty.pkg", 0);
  write_package (package, "three.pkg", 3);

  stamp = g_build_filename (argv[1], "stamp", NULL);
  return g_file_set_contents (stamp, "", 0, NULL) ? 0 : 1;
}
