/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-fuzz"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "casedb-core.h"
#include "../casedb-import-fixture.h"

/* Writes the seed corpus (generated, so it follows the formats as they
 * change): fuzz-make-seeds DIR → DIR/keyslots, DIR/package, DIR/csv. */

/* A file as written before the checksum existed: almost every mutation of
 * a checksummed file stops at the checksum, this one lets the fuzzer reach
 * the unlock. */
static void
write_without_checksum (const char *from, const char *to)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  char *at;

  if (!g_file_get_contents (from, &contents, NULL, &error))
    g_error ("%s", error->message);
  at = strstr (contents, ",\n  \"checksum\"");
  if (at == NULL)
    g_error ("no checksum in %s", from);
  strcpy (at, "\n}\n");
  if (!g_file_set_contents (to, contents, -1, &error))
    g_error ("%s", error->message);
}

static void
write_keyslots (const char *dir)
{
  g_autofree char *id = casedb_random_uuid ();
  g_autoptr(CasedbKeyslots) slots = casedb_keyslots_new (id);
  g_autoptr(CasedbKeyring) keys = casedb_keyring_new_random (TRUE);
  g_autoptr(CasedbKeyring) next = casedb_keyring_new_random (TRUE);
  g_autofree char *full = g_build_filename (dir, "three-slots-pending.keys", NULL);
  g_autofree char *single = g_build_filename (dir, "one-slot.keys", NULL);
  g_autofree char *bare = g_build_filename (dir, "one-slot-no-checksum.keys", NULL);
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
  write_without_checksum (single, bare);
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

static void
write_file (const char *dir, const char *name, const GString *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  if (!g_file_set_contents (path, contents->str, contents->len, &error))
    g_error ("%s", error->message);
}

static void
write_csv (const char *dir)
{
  g_autoptr(GString) good = g_string_new (NULL);
  g_autoptr(GString) quoted = g_string_new (NULL);
  g_autoptr(GString) bad = g_string_new (NULL);
  g_autoptr(GString) odd = g_string_new (NULL);
  FixtureRow row;

  /* Three cases: two victims of one violation, a second violation with no
   * individual victim, a named perpetrator and source (mapped to codes). */
  fixture_append_header (good);
  row = fixture_row ("SEED-1");
  fixture_append_row (good, &row);
  row.v[FX_VICTIM_NAME] = "Amal (fictional)";
  row.v[FX_VICTIM_AGE] = "9";
  fixture_append_row (good, &row);
  row.v[FX_VIOLATION] = "killing_maiming";
  row.v[FX_SUBTYPE] = "maiming";
  row.v[FX_VICTIM_NAME] = "";
  row.v[FX_VICTIM_SEX] = "";
  row.v[FX_VICTIM_AGE] = "";
  fixture_append_row (good, &row);
  row = fixture_row ("SEED-2");
  row.v[FX_VIOLATION] = "recruitment_use";
  row.v[FX_PERPETRATOR_PARTY] = "Commander Seed (fictional)";
  row.v[FX_SOURCE_CODE] = "A teacher (fictional)";
  row.v[FX_VICTIM_SEX] = "male";
  row.v[FX_VERIFICATION] = "unverified";
  fixture_append_row (good, &row);
  row = fixture_row ("SEED-3");
  row.v[FX_VIOLATION] = "attack_school_hospital";
  row.v[FX_SUBTYPE] = "school";
  row.v[FX_VICTIM_NAME] = "";
  row.v[FX_VICTIM_SEX] = "";
  row.v[FX_VICTIM_AGE] = "";
  row.v[FX_CONSENT_BY] = "none";
  fixture_append_row (good, &row);
  write_file (dir, "good.csv", good);

  /* Quoted fields: newlines, commas, doubled quotes, non-ASCII. */
  fixture_append_header (quoted);
  row = fixture_row ("SEED-Q");
  row.v[FX_NARRATIVE] = "First line,\r\nsecond \"quoted\" line\nthird: كان هناك";
  row.v[FX_LOCATION_DETAIL] = "Near the \"old\" well, east side";
  row.v[FX_VICTIM_NAME] = "Zoé, \"Zo\" (fictional)";
  fixture_append_row (quoted, &row);
  write_file (dir, "quoted.csv", quoted);

  /* One good row, then a bad one: a bad date, an unknown violation, and a
   * row with too few fields. */
  fixture_append_header (bad);
  row = fixture_row ("SEED-B");
  fixture_append_row (bad, &row);
  row = fixture_row ("SEED-C");
  row.v[FX_INCIDENT_DATE] = "2023-02-30";
  row.v[FX_VIOLATION] = "looting";
  fixture_append_row (bad, &row);
  g_string_append (bad, "SEED-D,2023-01-01\r\n");
  write_file (dir, "bad-row.csv", bad);

  /* A byte-order mark, bare LF line ends, an unterminated quote. */
  g_string_append (odd, "\xef\xbb\xbf");
  fixture_append_header (odd);
  row = fixture_row ("SEED-O");
  fixture_append_row (odd, &row);
  g_string_replace (odd, "\r\n", "\n", 0);
  g_string_append (odd, "SEED-P,\"2023-01-01");
  write_file (dir, "odd.csv", odd);
}

int
main (int argc, char *argv[])
{
  g_autofree char *keyslots = NULL;
  g_autofree char *package = NULL;
  g_autofree char *csv = NULL;
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
  csv = g_build_filename (argv[1], "csv", NULL);
  g_mkdir_with_parents (csv, 0700);

  write_keyslots (keyslots);
  write_package (package, "empty.pkg", 0);
  write_package (package, "three.pkg", 3);
  write_csv (csv);

  stamp = g_build_filename (argv[1], "stamp", NULL);
  return g_file_set_contents (stamp, "", 0, NULL) ? 0 : 1;
}
