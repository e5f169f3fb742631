/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-test"

#include "config.h"

#include <string.h>

#include "casedb-test-util.h"

typedef struct {
  char           *dir;
  char           *path;
  CasedbKeyslots *slots;
  CasedbKeyring  *keys;
  CasedbKdfParams params;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autofree char *id = casedb_random_uuid ();

  f->dir = casedb_test_mkdtemp ();
  f->path = g_build_filename (f->dir, "db.casedb.keys", NULL);
  casedb_kdf_params_testing (&f->params);
  f->slots = casedb_keyslots_new (id);
  f->keys = casedb_keyring_new_random (TRUE);
  g_assert_true (casedb_keyslots_add (f->slots, "sara", CASEDB_ROLE_SUPERVISOR, "sup-pass",
                                      &f->params, f->keys, NULL));
  g_assert_true (casedb_keyslots_add (f->slots, "karim", CASEDB_ROLE_CASEWORKER, "cw-pass",
                                      &f->params, f->keys, NULL));
  g_assert_true (casedb_keyslots_add (f->slots, "lina", CASEDB_ROLE_ANALYST, "an-pass",
                                      &f->params, f->keys, NULL));
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->slots);
  g_clear_pointer (&f->keys, casedb_keyring_free);
  casedb_test_rmtree (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

static CasedbKeyslots *
reload (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  CasedbKeyslots *loaded;

  g_assert_true (casedb_keyslots_save (f->slots, f->path, &error));
  g_assert_no_error (error);
  loaded = casedb_keyslots_load (f->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (loaded);
  return loaded;
}

static CasedbKeyring *
unlock_ok (CasedbKeyslots *slots, const char *user, const char *password, CasedbRole expected)
{
  g_autoptr(GError) error = NULL;
  CasedbRole role = -1;
  CasedbKeyring *keys = casedb_keyslots_unlock (slots, user, password, FALSE, &role, &error);

  g_assert_no_error (error);
  g_assert_nonnull (keys);
  g_assert_cmpint (role, ==, expected);
  g_assert_true (casedb_secure_is_secure (keys));
  return keys;
}

static void
unlock_fails (CasedbKeyslots *slots, const char *user, const char *password, int code)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (casedb_keyslots_unlock (slots, user, password, FALSE, NULL, &error));
  g_assert_error (error, CASEDB_ERROR, code);
}

static void
test_roles_get_their_keys (Fixture *f, gconstpointer data)
{
  g_autoptr(CasedbKeyslots) loaded = reload (f);
  g_autoptr(CasedbKeyring) sup = unlock_ok (loaded, "sara", "sup-pass", CASEDB_ROLE_SUPERVISOR);
  g_autoptr(CasedbKeyring) cw = unlock_ok (loaded, "karim", "cw-pass", CASEDB_ROLE_CASEWORKER);
  g_autoptr(CasedbKeyring) an = unlock_ok (loaded, "lina", "an-pass", CASEDB_ROLE_ANALYST);
  static const guint8 zero[CASEDB_KEY_LEN] = { 0 };

  g_assert_cmpmem (sup->data_key, 32, f->keys->data_key, 32);
  g_assert_cmpmem (an->data_key, 32, f->keys->data_key, 32);
  g_assert_cmpmem (an->audit_key, 32, f->keys->audit_key, 32);
  g_assert_true (sup->has_identity_key);
  g_assert_true (cw->has_identity_key);
  g_assert_cmpmem (cw->identity_key, 32, f->keys->identity_key, 32);
  /* The analyst's slot does not hold the identity key at all. */
  g_assert_false (an->has_identity_key);
  g_assert_cmpmem (an->identity_key, 32, zero, 32);
  g_assert_cmpstr (casedb_keyslots_get_database_id (loaded), ==,
                   casedb_keyslots_get_database_id (f->slots));
}

static void
test_wrong_password (Fixture *f, gconstpointer data)
{
  g_autoptr(CasedbKeyslots) loaded = reload (f);

  unlock_fails (loaded, "sara", "sup-pasS", CASEDB_ERROR_WRONG_PASSWORD);
  unlock_fails (loaded, "sara", "cw-pass", CASEDB_ERROR_WRONG_PASSWORD);
  /* An unknown user gets the very same answer. */
  unlock_fails (loaded, "nobody", "sup-pass", CASEDB_ERROR_WRONG_PASSWORD);
}

static void
test_no_secret_in_file (Fixture *f, gconstpointer data)
{
  g_autofree char *hex = g_malloc (65);
  g_autoptr(CasedbKeyslots) loaded = reload (f);
  g_autofree char *b64 = NULL;
  g_autofree char *contents = NULL;

  g_assert_false (casedb_test_file_contains (f->path, "sup-pass"));
  g_assert_false (casedb_test_file_contains (f->path, "an-pass"));
  casedb_hex_encode (f->keys->data_key, 32, hex);
  g_assert_false (casedb_test_file_contains (f->path, hex));
  b64 = g_base64_encode (f->keys->data_key, 32);
  g_assert_false (casedb_test_file_contains (f->path, b64));
  g_assert_true (g_file_get_contents (f->path, &contents, NULL, NULL));
  g_assert_false (memmem (contents, strlen (contents), f->keys->data_key, 32) != NULL);
  g_assert_false (memmem (contents, strlen (contents), f->keys->identity_key, 32) != NULL);
  /* The SQLCipher settings are recorded for a future SQLCipher 4. */
  g_assert_cmpint (json_object_get_int_member (casedb_keyslots_get_cipher (loaded), "page_size"), ==, CASEDB_CIPHER_PAGE_SIZE);
  g_assert_cmpint (json_object_get_int_member (casedb_keyslots_get_cipher (loaded), "compatibility"), ==, 3);
}

static void
test_file_mode (Fixture *f, gconstpointer data)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInfo) info = NULL;

  g_assert_true (casedb_keyslots_save (f->slots, f->path, NULL));
  file = g_file_new_for_path (f->path);
  info = g_file_query_info (file, G_FILE_ATTRIBUTE_UNIX_MODE, 0, NULL, NULL);
  g_assert_cmpint (g_file_info_get_attribute_uint32 (info, G_FILE_ATTRIBUTE_UNIX_MODE) & 0777, ==, 0600);
}

/* Editing "analyst" into "supervisor" in the file must not grant anything. */
static void
test_role_edit_breaks_slot (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GString) edited = NULL;
  g_autoptr(CasedbKeyslots) forged = NULL;
  const char *at;

  g_assert_true (casedb_keyslots_save (f->slots, f->path, NULL));
  g_assert_true (g_file_get_contents (f->path, &contents, NULL, NULL));
  edited = g_string_new (contents);
  g_assert_cmpuint (g_string_replace (edited, "\"analyst\"", "\"supervisor\"", 0), ==, 1);
  forged = casedb_keyslots_load_from_data (edited->str, edited->len, "forged", &error);
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED);   /* the file checksum */
  g_assert_null (forged);
  g_clear_error (&error);

  /* A forger drops the checksum (files from before it load without one):
   * the slot's AAD still refuses the role. */
  at = strstr (edited->str, ",\n  \"checksum\"");
  g_assert_nonnull (at);
  g_string_truncate (edited, at - edited->str);
  g_string_append (edited, "\n}\n");
  forged = casedb_keyslots_load_from_data (edited->str, edited->len, "forged", &error);
  g_assert_no_error (error);
  unlock_fails (forged, "lina", "an-pass", CASEDB_ERROR_DAMAGED);
}

static void
test_change_password (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CasedbKeyslots) loaded = NULL;
  g_autoptr(CasedbKeyring) keys = NULL;

  g_assert_false (casedb_keyslots_change_password (f->slots, "karim", "wrong", "new-pass",
                                                   &f->params, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_WRONG_PASSWORD);
  g_clear_error (&error);
  g_assert_true (casedb_keyslots_change_password (f->slots, "karim", "cw-pass", "new-pass",
                                                  &f->params, &error));
  g_assert_no_error (error);
  loaded = reload (f);
  unlock_fails (loaded, "karim", "cw-pass", CASEDB_ERROR_WRONG_PASSWORD);
  keys = unlock_ok (loaded, "karim", "new-pass", CASEDB_ROLE_CASEWORKER);
  g_assert_cmpmem (keys->identity_key, 32, f->keys->identity_key, 32);
}

static void
test_reset_and_role (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CasedbKeyslots) loaded = NULL;
  g_autoptr(CasedbKeyring) an = NULL;
  g_autoptr(CasedbKeyring) cw = NULL;

  g_assert_true (casedb_keyslots_reset_password (f->slots, "lina", "reset-pass", &f->params,
                                                 f->keys, &error));
  g_assert_no_error (error);
  g_assert_true (casedb_keyslots_set_role (f->slots, "karim", CASEDB_ROLE_ANALYST, f->keys, &error));
  g_assert_no_error (error);
  loaded = reload (f);
  unlock_fails (loaded, "lina", "an-pass", CASEDB_ERROR_WRONG_PASSWORD);
  an = unlock_ok (loaded, "lina", "reset-pass", CASEDB_ROLE_ANALYST);
  cw = unlock_ok (loaded, "karim", "cw-pass", CASEDB_ROLE_ANALYST);
  g_assert_false (cw->has_identity_key);

  /* A keyring without the identity key cannot set up a caseworker. */
  g_assert_false (casedb_keyslots_add (f->slots, "new", CASEDB_ROLE_CASEWORKER, "x", &f->params,
                                       an, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_PERMITTED);
  g_clear_error (&error);

  g_assert_false (casedb_keyslots_add (f->slots, "lina", CASEDB_ROLE_ANALYST, "x", &f->params,
                                       f->keys, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_EXISTS);
  g_clear_error (&error);

  g_assert_true (casedb_keyslots_remove (f->slots, "lina", &error));
  unlock_fails (f->slots, "lina", "reset-pass", CASEDB_ERROR_WRONG_PASSWORD);
}

/* Rekey hands new keys to every slot without any password; until commit
 * both keyrings open, so a crash between the steps loses nothing. */
static void
test_stage_commit (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CasedbKeyring) fresh = casedb_keyring_new_random (TRUE);
  g_autoptr(CasedbKeyslots) loaded = NULL;
  g_autoptr(CasedbKeyring) old_keys = NULL;
  g_autoptr(CasedbKeyring) pending = NULL;
  g_autoptr(CasedbKeyring) now = NULL;
  guint gen = casedb_keyslots_get_generation (f->slots);

  g_assert_false (casedb_keyslots_has_pending (f->slots));
  g_assert_true (casedb_keyslots_stage_keyring (f->slots, fresh, &error));
  g_assert_no_error (error);
  loaded = reload (f);
  g_assert_true (casedb_keyslots_has_pending (loaded));
  old_keys = unlock_ok (loaded, "lina", "an-pass", CASEDB_ROLE_ANALYST);
  g_assert_cmpmem (old_keys->data_key, 32, f->keys->data_key, 32);
  pending = casedb_keyslots_unlock (loaded, "lina", "an-pass", TRUE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (pending->data_key, 32, fresh->data_key, 32);
  g_assert_false (pending->has_identity_key);

  casedb_keyslots_commit_pending (loaded);
  g_assert_false (casedb_keyslots_has_pending (loaded));
  g_assert_cmpuint (casedb_keyslots_get_generation (loaded), ==, gen + 1);
  now = unlock_ok (loaded, "karim", "cw-pass", CASEDB_ROLE_CASEWORKER);
  g_assert_cmpmem (now->data_key, 32, fresh->data_key, 32);
  g_assert_cmpmem (now->identity_key, 32, fresh->identity_key, 32);
}

static void
test_failed_logins (Fixture *f, gconstpointer data)
{
  g_autoptr(CasedbKeyslots) loaded = NULL;
  g_autoptr(GPtrArray) failed = NULL;

  casedb_keyslots_note_failed_login (f->slots, "sara");
  /* A password typed into the user field must not be written down. */
  casedb_keyslots_note_failed_login (f->slots, "TypedMyPassword!");
  loaded = reload (f);
  g_assert_false (casedb_test_file_contains (f->path, "TypedMyPassword!"));
  failed = casedb_keyslots_take_failed_logins (loaded);
  g_assert_cmpuint (failed->len, ==, 2);
  g_assert_cmpstr (((CasedbFailedLogin *) failed->pdata[0])->user, ==, "sara");
  g_assert_null (((CasedbFailedLogin *) failed->pdata[1])->user);
  g_clear_pointer (&failed, g_ptr_array_unref);
  failed = casedb_keyslots_take_failed_logins (loaded);
  g_assert_cmpuint (failed->len, ==, 0);
}

static void
assert_damaged (const char *data, gsize len)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CasedbKeyslots) slots = casedb_keyslots_load_from_data (data, len, "t.keys", &error);

  g_assert_null (slots);
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED);
  g_assert_nonnull (strstr (error->message, "t.keys"));
}

static void
test_damaged_files (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *missing = g_build_filename (f->dir, "nope.keys", NULL);
  gsize len;

  g_assert_true (casedb_keyslots_save (f->slots, f->path, NULL));
  g_assert_true (g_file_get_contents (f->path, &contents, &len, NULL));

  assert_damaged ("", 0);
  assert_damaged ("{", 1);
  assert_damaged ("[]", 2);
  assert_damaged ("{\"format\":\"something else\"}", 27);
  assert_damaged ("\xff\xfe", 2);
  /* Every truncation is refused cleanly. */
  for (gsize cut = 0; cut < len - 2; cut += 7)
    assert_damaged (contents, cut);

  g_assert_null (casedb_keyslots_load (missing, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_FOUND);
}

static void
test_bit_flips (Fixture *f, gconstpointer data)
{
  g_autofree char *contents = NULL;
  gsize len;
  guint opened = 0;

  g_assert_true (casedb_keyslots_save (f->slots, f->path, NULL));
  g_assert_true (g_file_get_contents (f->path, &contents, &len, NULL));

  /* A flipped bit either makes the file unreadable or, inside a base64
   * value, makes that slot refuse to open; it never opens with other keys. */
  for (gsize i = 0; i < len; i += 13)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CasedbKeyslots) slots = NULL;
      g_autoptr(CasedbKeyring) keys = NULL;

      contents[i] ^= 0x04;
      slots = casedb_keyslots_load_from_data (contents, len, "t.keys", &error);
      if (slots != NULL)
        {
          keys = casedb_keyslots_unlock (slots, "karim", "cw-pass", FALSE, NULL, NULL);
          if (keys != NULL)
            {
              opened++;
              g_assert_cmpmem (keys->data_key, 32, f->keys->data_key, 32);
              g_assert_cmpmem (keys->identity_key, 32, f->keys->identity_key, 32);
            }
        }
      else
        g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED);
      contents[i] ^= 0x04;
    }
  /* Flips outside karim's slot leave it usable. */
  g_assert_cmpuint (opened, >, 0);
}

int
main (int argc, char *argv[])
{
  casedb_test_init (&argc, &argv);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/keyslots/roles-get-their-keys", test_roles_get_their_keys);
  ADD ("/keyslots/wrong-password", test_wrong_password);
  ADD ("/keyslots/no-secret-in-file", test_no_secret_in_file);
  ADD ("/keyslots/file-mode", test_file_mode);
  ADD ("/keyslots/role-edit-breaks-slot", test_role_edit_breaks_slot);
  ADD ("/keyslots/change-password", test_change_password);
  ADD ("/keyslots/reset-and-role", test_reset_and_role);
  ADD ("/keyslots/stage-commit", test_stage_commit);
  ADD ("/keyslots/failed-logins", test_failed_logins);
  ADD ("/keyslots/damaged", test_damaged_files);
  ADD ("/keyslots/bit-flips", test_bit_flips);
#undef ADD

  return g_test_run ();
}
