/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-test"

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "casedb-test-util.h"

/*
 * Bad files: a truncated, bit-flipped or empty database or key-slot file
 * is reported as damaged (casedb-tool exit status 3, a message naming the
 * file), never opened as something else, never a crash.  Failed logins
 * reach the audit log.
 */

#define N_CASES 40

typedef struct {
  char *dir;
  char *path;
  char *keys;
  char *db_bytes;
  gsize db_len;
  char *keys_bytes;
  gsize keys_len;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(CasedbStore) store = NULL;
  g_autoptr(GError) error = NULL;

  f->dir = casedb_test_mkdtemp ();
  f->path = g_build_filename (f->dir, "office.casedb", NULL);
  f->keys = casedb_store_keyslots_path (f->path);

  store = casedb_test_create_store (f->path, "sara", "sara-password");
  casedb_test_add_user (store, "karim", CASEDB_ROLE_CASEWORKER, "karim-password");
  for (guint i = 0; i < N_CASES; i++)
    {
      g_autofree char *ref = g_strdup_printf ("DMG-%u", i);
      g_autoptr(CasedbCase) c = casedb_test_make_case (ref, "2024-05-05", CASEDB_VIOLATION_ABDUCTION);
      CasedbVictim *v = casedb_case_add_victim (c);

      v->name = casedb_secure_strdup ("Damage Victim (fictional)");
      c->narrative = casedb_secure_strdup ("A narrative long enough to fill some pages of the file.");
      g_assert_true (casedb_store_save_case (store, c, &error));
      g_assert_no_error (error);
    }
  casedb_store_close (store);

  g_assert_true (g_file_get_contents (f->path, &f->db_bytes, &f->db_len, NULL));
  g_assert_true (g_file_get_contents (f->keys, &f->keys_bytes, &f->keys_len, NULL));
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  casedb_test_rmtree (f->dir);
  g_free (f->dir);
  g_free (f->path);
  g_free (f->keys);
  g_free (f->db_bytes);
  g_free (f->keys_bytes);
}

static void
write_bytes (const char *path, const char *bytes, gsize len)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, bytes, len, &error);
  g_assert_no_error (error);
}

/* Puts the original files back, with @path (the database or the key-slot
 * file) replaced by @len bytes of @bytes. */
static void
install (Fixture *f, const char *path, const char *bytes, gsize len)
{
  write_bytes (f->path, f->db_bytes, f->db_len);
  write_bytes (f->keys, f->keys_bytes, f->keys_len);
  write_bytes (path, bytes, len);
}

/* A single-bit flip at the first letter or digit from @pos on (a base64
 * value may also hold '+' and '/'), keeping it a hex digit or a base64
 * letter, so that only a check of the content can notice it. */
static char *
flip_quietly (const char *bytes, gsize len, gsize pos)
{
  char *copy = g_memdup2 (bytes, len);

  while (pos < len && copy[pos] != '"' && !g_ascii_isalnum (copy[pos]))
    pos++;
  g_assert_cmpuint (pos, <, len);
  if (g_ascii_isdigit (copy[pos]))
    copy[pos] ^= 0x01;
  else
    {
      g_assert_true (g_ascii_isalpha (copy[pos]));
      copy[pos] ^= 0x20;
    }
  return copy;
}

/* Offset of the first character of the value of the first @member. */
static gsize
value_offset (const char *json, const char *member)
{
  g_autofree char *key = g_strdup_printf ("\"%s\" : \"", member);
  const char *at = strstr (json, key);

  g_assert_nonnull (at);
  return (at - json) + strlen (key);
}

/* casedb-tool list on the damaged pair: exit 3, one clear line naming @file. */
static void
assert_tool_damaged (Fixture *f, const char *what, const char *file)
{
  g_autofree char *err = NULL;
  g_autofree char *base = g_path_get_basename (file);
  int status = casedb_test_run_tool ("sara-password\n", NULL, &err, "list", f->path, "--as", "sara", NULL);

  if (status != 3)
    g_error ("%s: exit status %d, not 3: %s", what, status, err);
  g_assert_true (g_str_has_prefix (err, "casedb-tool: "));
  g_assert_nonnull (strstr (err, "damaged"));
  g_assert_nonnull (strstr (err, base));
  g_assert_null (strstr (err, "CRITICAL"));
  g_assert_null (strstr (err, "WARNING"));
  g_test_message ("%s: %s", what, g_strchomp (err));
}

static void
test_damage_database (Fixture *f, gconstpointer data)
{
  g_autofree char *flipped = NULL;
  gsize mid = f->db_len / 2;

  g_assert_cmpuint (f->db_len, >, 8 * 4096);

  install (f, f->path, "", 0);
  assert_tool_damaged (f, "empty database", f->path);

  install (f, f->path, f->db_bytes, f->db_len / 2);
  assert_tool_damaged (f, "database cut in half", f->path);

  install (f, f->path, f->db_bytes, f->db_len - 100);
  assert_tool_damaged (f, "database cut inside its last page", f->path);

  install (f, f->path, f->db_bytes, 1000);
  assert_tool_damaged (f, "database cut inside its first page", f->path);

  flipped = g_memdup2 (f->db_bytes, f->db_len);
  flipped[mid] ^= 0x10;
  install (f, f->path, flipped, f->db_len);
  assert_tool_damaged (f, "database with a bit flipped in the middle", f->path);

  flipped[mid] ^= 0x10;
  flipped[5] ^= 0x01;     /* the salt at the head of page 1 */
  install (f, f->path, flipped, f->db_len);
  assert_tool_damaged (f, "database with a bit flipped in its header", f->path);
}

static void
test_damage_keyslots (Fixture *f, gconstpointer data)
{
  static const char * const members[] = { "database_id", "salt", "secret", "keys" };

  install (f, f->keys, "", 0);
  assert_tool_damaged (f, "empty key-slot file", f->keys);

  install (f, f->keys, f->keys_bytes, f->keys_len / 2);
  assert_tool_damaged (f, "key-slot file cut in half", f->keys);

  install (f, f->keys, f->keys_bytes, f->keys_len - 3);
  assert_tool_damaged (f, "key-slot file missing its end", f->keys);

  /* Flips that leave valid JSON: without a check of the content they
   * would read as a wrong password, for one user or for everyone. */
  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    {
      g_autofree char *what = g_strdup_printf ("key-slot file with a bit flipped in “%s”", members[i]);
      g_autofree char *flipped = flip_quietly (f->keys_bytes, f->keys_len,
                                               value_offset (f->keys_bytes, members[i]) + 3);

      install (f, f->keys, flipped, f->keys_len);
      assert_tool_damaged (f, what, f->keys);
    }

  /* The originals still open: the damage was in the copies only. */
  install (f, f->keys, f->keys_bytes, f->keys_len);
  g_assert_cmpint (casedb_test_run_tool ("sara-password\n", NULL, NULL, "list", f->path, "--as", "sara", NULL), ==, 0);
}

/* Every single-bit flip of the key-slot file, through the API. */
static void
test_damage_keyslots_every_bit (Fixture *f, gconstpointer data)
{
  const char *name_at = strstr (f->keys_bytes, "\"checksum\"");
  guint n_damaged = 0;

  g_assert_nonnull (name_at);

  for (gsize i = 0; i < f->keys_len; i++)
    {
      g_autofree char *flipped = g_memdup2 (f->keys_bytes, f->keys_len);
      g_autoptr(GError) error = NULL;
      g_autoptr(CasedbStore) store = NULL;

      flipped[i] ^= 1 << (i % 8);
      write_bytes (f->keys, flipped, f->keys_len);
      store = casedb_store_open (f->path, "sara", "sara-password", &error);
      if (store != NULL)
        {
          /* Only a flip in the member's name: the file then reads as one
           * written before checksums, and nothing else changed. */
          if (!(i > (gsize) (name_at - f->keys_bytes) && i < (gsize) (name_at - f->keys_bytes) + 9))
            g_error ("a bit flipped at byte %" G_GSIZE_FORMAT " of the key-slot file went unnoticed", i);
          casedb_store_close (store);
          continue;
        }
      if (!g_error_matches (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED))
        g_error ("a bit flipped at byte %" G_GSIZE_FORMAT " of the key-slot file gave “%s”",
                 i, error->message);
      n_damaged++;
    }
  g_test_message ("%u of %" G_GSIZE_FORMAT " single-bit flips reported as damage", n_damaged, f->keys_len);
}

static guint
count_cases (CasedbStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) rows = NULL;
  CasedbQuery query = CASEDB_QUERY_INIT;

  rows = casedb_store_list_cases (store, &query, &error);
  g_assert_no_error (error);
  return g_list_model_get_n_items (rows);
}

/* Random single-bit flips of the database, through the API: damage, or a
 * byte no one reads (a free page) and everything as it was. */
static void
test_damage_database_random_bits (Fixture *f, gconstpointer data)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (7);
  guint n_damaged = 0;
  guint n = g_test_slow () ? 2000 : 150;

  for (guint k = 0; k < n; k++)
    {
      gsize pos = g_rand_int_range (rng, 0, (gint32) f->db_len);
      g_autofree char *flipped = g_memdup2 (f->db_bytes, f->db_len);
      g_autoptr(GError) error = NULL;
      g_autoptr(CasedbStore) store = NULL;

      flipped[pos] ^= 1 << g_rand_int_range (rng, 0, 8);
      write_bytes (f->path, flipped, f->db_len);
      store = casedb_store_open (f->path, "sara", "sara-password", &error);
      if (store == NULL)
        {
          if (!g_error_matches (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED))
            g_error ("a bit flipped at byte %" G_GSIZE_FORMAT " of the database gave “%s”",
                     pos, error->message);
          n_damaged++;
          continue;
        }
      g_assert_cmpuint (count_cases (store), ==, N_CASES);
      casedb_store_close (store);
    }
  write_bytes (f->path, f->db_bytes, f->db_len);
  g_test_message ("%u of %u random single-bit flips of the database reported as damage", n_damaged, n);
}

/* Failed logins, which cannot be written to the locked database, reach the
 * audit log at the next unlock; a typed name that is no user is not kept
 * (it may be a password typed into the wrong field). */
static void
test_failed_logins_audited (Fixture *f, gconstpointer data)
{
  g_autofree char *out = NULL;
  g_auto(GStrv) rows = NULL;
  guint n_sara = 0, n_unknown = 0, n_login = 0;

  g_assert_cmpint (casedb_test_run_tool ("not-sara-password\n", NULL, NULL, "list", f->path, "--as", "sara", NULL), ==, 2);
  g_assert_cmpint (casedb_test_run_tool ("karim-password\n", NULL, NULL, "list", f->path, "--as", "Zzsecret-typed", NULL), ==, 2);
  g_assert_false (casedb_test_file_contains (f->keys, "Zzsecret-typed"));

  g_assert_cmpint (casedb_test_run_tool ("sara-password\n", &out, NULL, "audit", f->path, "--as", "sara", NULL), ==, 0);

  /* ID  TIME  USER  ACTION  DETAIL */
  rows = g_strsplit (out, "\n", -1);
  for (guint i = 0; rows[i] != NULL; i++)
    {
      g_auto(GStrv) words = g_strsplit_set (g_strstrip (rows[i]), " ", -1);
      g_autoptr(GPtrArray) w = g_ptr_array_new ();

      for (guint j = 0; words[j] != NULL; j++)
        if (words[j][0] != '\0')
          g_ptr_array_add (w, words[j]);
      if (w->len < 4)
        continue;
      if (g_str_equal (g_ptr_array_index (w, 3), "login_failed"))
        {
          if (g_str_equal (g_ptr_array_index (w, 2), "sara"))
            n_sara++;
          else if (g_str_equal (g_ptr_array_index (w, 2), "-"))
            n_unknown++;
          else
            g_error ("unexpected failed login line: %s", rows[i]);
        }
      else if (g_str_equal (g_ptr_array_index (w, 3), "login"))
        n_login++;
    }

  g_assert_cmpuint (n_sara, ==, 1);
  g_assert_cmpuint (n_unknown, ==, 1);
  g_assert_cmpuint (n_login, ==, 1);
  g_assert_null (strstr (out, "Zzsecret-typed"));
  /* Moved, not copied: the key-slot file holds none any more. */
  g_assert_true (casedb_test_file_contains (f->keys, "\"failed_logins\" : [ ]") ||
                 casedb_test_file_contains (f->keys, "\"failed_logins\" : []"));
}

int
main (int argc, char *argv[])
{
  casedb_test_init (&argc, &argv);

#define ADD(name, func) g_test_add (name, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/damage/database", test_damage_database);
  ADD ("/damage/keyslots", test_damage_keyslots);
  ADD ("/damage/keyslots-every-bit", test_damage_keyslots_every_bit);
  ADD ("/damage/database-random-bits", test_damage_database_random_bits);
  ADD ("/damage/failed-logins-audited", test_failed_logins_audited);
#undef ADD

  return g_test_run ();
}
