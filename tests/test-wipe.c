/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-test"

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "casedb-test-util.h"

/*
 * The emergency wipe: afterwards nobody can unlock, nothing of the cases or
 * of the key slots is left in the folder, and a copy of the database made
 * before cannot be opened without the key-slot file that no longer exists.
 */

#define MARKER_NAME   "Zzwipe Qqvictim"
#define MARKER_STORY  "Zzwipe Qqnarrative of what happened"
#define MARKER_USER   "zzwipe-karim"

static const char * const users[][2] = {
  { "sara", "sara-password" },
  { MARKER_USER, "karim-password" },
  { "lina", "lina-password" },
};

typedef struct {
  char *dir;
  char *path;
  char *keys;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(CasedbStore) store = NULL;
  g_autoptr(GError) error = NULL;

  f->dir = casedb_test_mkdtemp ();
  f->path = g_build_filename (f->dir, "office.casedb", NULL);
  f->keys = casedb_store_keyslots_path (f->path);

  store = casedb_test_create_store (f->path, users[0][0], users[0][1]);
  casedb_test_add_user (store, users[1][0], CASEDB_ROLE_CASEWORKER, users[1][1]);
  casedb_test_add_user (store, users[2][0], CASEDB_ROLE_ANALYST, users[2][1]);

  for (guint i = 0; i < 40; i++)
    {
      g_autofree char *ref = g_strdup_printf ("WIPE-%u", i);
      g_autoptr(CasedbCase) c = casedb_test_make_case (ref, "2024-02-02", CASEDB_VIOLATION_ABDUCTION);
      CasedbVictim *v = casedb_case_add_victim (c);

      v->name = casedb_secure_strdup (MARKER_NAME);
      c->narrative = casedb_secure_strdup (MARKER_STORY);
      g_assert_true (casedb_store_save_case (store, c, &error));
      g_assert_no_error (error);
    }
  casedb_store_close (store);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  casedb_test_rmtree (f->dir);
  g_free (f->dir);
  g_free (f->path);
  g_free (f->keys);
}

static void
copy_file (const char *from, const char *to)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (from, &contents, &len, &error);
  g_assert_no_error (error);
  g_file_set_contents (to, contents, len, &error);
  g_assert_no_error (error);
}

static void
assert_opens (const char *path, const char *user, const char *password)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CasedbStore) store = casedb_store_open (path, user, password, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  casedb_store_close (store);
}

static void
assert_dir_clean (const char *dir, const char *needle)
{
  g_autofree char *found = casedb_test_dir_find (dir, needle);

  if (found != NULL)
    g_error ("“%s” survived the wipe in %s", needle, found);
}

/* Everything that could hold a case or a user name is gone; an unrelated
 * file and another database beside it are not touched. */
static void
test_wipe_supervisor (Fixture *f, gconstpointer data)
{
  g_autofree char *elsewhere = casedb_test_mkdtemp ();
  g_autofree char *copy = g_build_filename (elsewhere, "office.casedb", NULL);
  g_autofree char *copy_keys = casedb_store_keyslots_path (copy);
  g_autofree char *stale = g_strconcat (f->keys, ".Ab12Cd", NULL);
  g_autofree char *hand_copy = g_strconcat (f->keys, ".bak", NULL);
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);
  g_autofree char *notes = g_build_filename (f->dir, "notes.txt", NULL);
  g_autofree char *other = g_build_filename (f->dir, "office.casedb2", NULL);
  g_autofree char *other_keys = casedb_store_keyslots_path (other);
  g_autoptr(CasedbStore) store = NULL;
  g_autoptr(CasedbStore) decoy = NULL;
  g_autoptr(GError) error = NULL;

  /* Before: the key-slot file names the users in plain text. */
  g_assert_true (casedb_test_file_contains (f->keys, MARKER_USER));

  copy_file (f->path, copy);
  /* What a crash in the middle of a key-slot save, or a careful user,
   * leaves beside the database. */
  copy_file (f->keys, stale);
  copy_file (f->keys, hand_copy);
  g_assert_true (g_file_set_contents (wal, MARKER_NAME, -1, NULL));
  g_assert_true (g_file_set_contents (notes, "not ours", -1, NULL));
  decoy = casedb_test_create_store (other, "other", "other-password");
  casedb_store_close (decoy);

  g_assert_true (casedb_store_wipe (f->path, "sara", "sara-password", &error));
  g_assert_no_error (error);

  g_assert_false (g_file_test (f->path, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (f->keys, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (stale, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (hand_copy, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));

  for (guint i = 0; i < G_N_ELEMENTS (users); i++)
    {
      store = casedb_store_open (f->path, users[i][0], users[i][1], &error);
      g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_FOUND);
      g_assert_null (store);
      g_clear_error (&error);
    }

  assert_dir_clean (f->dir, MARKER_USER);
  assert_dir_clean (f->dir, "Zzwipe");
  assert_dir_clean (f->dir, "Qqvictim");
  g_assert_true (g_file_test (notes, G_FILE_TEST_IS_REGULAR));
  assert_opens (other, "other", "other-password");
  g_assert_true (g_file_test (other_keys, G_FILE_TEST_IS_REGULAR));

  /* The copy made before is useless: without its key-slot file it does not
   * open, and no other key-slot file opens it either. */
  store = casedb_store_open (copy, "sara", "sara-password", &error);
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_FOUND);
  g_assert_null (store);
  g_clear_error (&error);

  copy_file (other_keys, copy_keys);
  store = casedb_store_open (copy, "other", "other-password", &error);
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED);
  g_assert_null (store);
  g_clear_error (&error);
  g_assert_false (casedb_test_file_contains (copy, "Zzwipe"));

  casedb_test_rmtree (elsewhere);
}

/* Only a supervisor with the right password; a refusal changes nothing. */
static void
test_wipe_refused (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (casedb_store_wipe (f->path, MARKER_USER, "karim-password", &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_PERMITTED);
  g_clear_error (&error);

  g_assert_false (casedb_store_wipe (f->path, "lina", "lina-password", &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_PERMITTED);
  g_clear_error (&error);

  g_assert_false (casedb_store_wipe (f->path, "sara", "not-her-password", &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_WRONG_PASSWORD);
  g_clear_error (&error);

  g_assert_false (casedb_store_wipe (f->path, "nobody", "sara-password", &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_WRONG_PASSWORD);
  g_clear_error (&error);

  g_assert_true (g_file_test (f->path, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (f->keys, G_FILE_TEST_IS_REGULAR));
  for (guint i = 0; i < G_N_ELEMENTS (users); i++)
    assert_opens (f->path, users[i][0], users[i][1]);
}

/* casedb-tool wipe: password, then the word WIPE; anything else stops. */
static void
test_wipe_tool (Fixture *f, gconstpointer data)
{
  g_autofree char *err = NULL;

  g_assert_cmpint (casedb_test_run_tool ("sara-password\nwipe\n", NULL, &err, "wipe", f->path, "--as", "sara", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "WIPE"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (casedb_test_run_tool ("sara-password\n", NULL, &err, "wipe", f->path, "--as", "sara", NULL), ==, 1);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (casedb_test_run_tool ("sara-password\nWIPE it\n", NULL, &err, "wipe", f->path, "--as", "sara", NULL), ==, 1);
  g_clear_pointer (&err, g_free);
  g_assert_true (g_file_test (f->keys, G_FILE_TEST_IS_REGULAR));
  assert_opens (f->path, "sara", "sara-password");

  g_assert_cmpint (casedb_test_run_tool ("karim-password\nWIPE\n", NULL, &err, "wipe", f->path, "--as", MARKER_USER, NULL), ==, 2);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (casedb_test_run_tool ("wrong-password\nWIPE\n", NULL, &err, "wipe", f->path, "--as", "sara", NULL), ==, 2);
  g_clear_pointer (&err, g_free);
  g_assert_true (g_file_test (f->keys, G_FILE_TEST_IS_REGULAR));

  g_assert_cmpint (casedb_test_run_tool ("sara-password\nWIPE\n", NULL, &err, "wipe", f->path, "--as", "sara", NULL), ==, 0);
  g_assert_false (g_file_test (f->path, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (f->keys, G_FILE_TEST_EXISTS));
  assert_dir_clean (f->dir, "Zzwipe");
}

int
main (int argc, char *argv[])
{
  casedb_test_init (&argc, &argv);

  g_test_add ("/wipe/supervisor", Fixture, NULL, fixture_setup, test_wipe_supervisor, fixture_teardown);
  g_test_add ("/wipe/refused", Fixture, NULL, fixture_setup, test_wipe_refused, fixture_teardown);
  g_test_add ("/wipe/tool", Fixture, NULL, fixture_setup, test_wipe_tool, fixture_teardown);

  return g_test_run ();
}
