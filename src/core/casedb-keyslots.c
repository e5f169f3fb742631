/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-keyslots"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "casedb-crypto.h"
#include "casedb-error.h"
#include "casedb-keyslots.h"
#include "casedb-secure.h"

/*
 * File format (JSON, documented in docs/design.md):
 *
 *   { "format": "org.example.CaseDB.keyslots", "version": 1,
 *     "database_id": "<uuid>", "generation": N,
 *     "cipher": { SQLCipher settings },
 *     "slots": [ { "user", "role", "created", "password_changed",
 *                  "kdf": { "algorithm": "argon2id", "iterations", "memory_kib",
 *                           "parallelism", "salt" },
 *                  "public_key", "secret", "keys", ["pending_keys"] } ],
 *     "failed_logins": [ { "user"?, "time" } ] }
 *
 * secret = AES-256-GCM(Argon2id(password), X25519 secret key,
 *                      AAD "casedb-slot-secret-v1" 0 database_id 0 user)
 * keys   = box(public_key, keyring, AAD "casedb-slot-keys-v1" 0 database_id 0 user 0 role 0 generation)
 */

#define FORMAT_NAME       "org.example.CaseDB.keyslots"
#define FORMAT_VERSION    1
#define SALT_LEN          16
#define MAX_FILE_SIZE     (4 * 1024 * 1024)
#define MAX_FAILED_LOGINS 1000
#define MAX_USER_LEN      64
#define CHECKSUM_MEMBER   "checksum"
#define CHECKSUM_HEX_LEN  64
#define KEYRING_LEN_CODED (2 * CASEDB_KEY_LEN)
#define KEYRING_LEN_FULL  (3 * CASEDB_KEY_LEN)

typedef struct {
  char           *user;
  CasedbRole      role;
  char           *created;
  char           *password_changed;
  CasedbKdfParams kdf;
  guint8          salt[SALT_LEN];
  guint8          public_key[CASEDB_X25519_LEN];
  GBytes         *secret;
  GBytes         *keys;
  GBytes         *pending_keys;
} Slot;

struct _CasedbKeyslots
{
  GObject     parent_instance;

  char       *database_id;
  guint       generation;
  JsonObject *cipher;
  GPtrArray  *slots;          /* (element-type Slot) */
  GPtrArray  *failed_logins;  /* (element-type CasedbFailedLogin) */
};

G_DEFINE_FINAL_TYPE (CasedbKeyslots, casedb_keyslots, G_TYPE_OBJECT)

static void
slot_free (Slot *slot)
{
  g_free (slot->user);
  g_free (slot->created);
  g_free (slot->password_changed);
  g_clear_pointer (&slot->secret, g_bytes_unref);
  g_clear_pointer (&slot->keys, g_bytes_unref);
  g_clear_pointer (&slot->pending_keys, g_bytes_unref);
  g_free (slot);
}

void
casedb_failed_login_free (CasedbFailedLogin *f)
{
  if (f == NULL)
    return;
  g_free (f->user);
  g_free (f->time);
  g_free (f);
}

CasedbKeyring *
casedb_keyring_new_random (gboolean with_identity)
{
  CasedbKeyring *keys = casedb_secure_alloc (sizeof *keys);

  casedb_random_key (keys->data_key, CASEDB_KEY_LEN);
  casedb_random_key (keys->audit_key, CASEDB_KEY_LEN);
  if (with_identity)
    casedb_random_key (keys->identity_key, CASEDB_KEY_LEN);
  keys->has_identity_key = with_identity;
  return keys;
}

CasedbKeyring *
casedb_keyring_copy (const CasedbKeyring *keys)
{
  CasedbKeyring *copy = casedb_secure_alloc (sizeof *copy);

  memcpy (copy, keys, sizeof *copy);
  return copy;
}

void
casedb_keyring_free (CasedbKeyring *keys)
{
  casedb_secure_free (keys);
}

static char *
now_iso8601 (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
}

static void
casedb_keyslots_finalize (GObject *object)
{
  CasedbKeyslots *self = (CasedbKeyslots *) object;

  g_clear_pointer (&self->database_id, g_free);
  g_clear_pointer (&self->cipher, json_object_unref);
  g_clear_pointer (&self->slots, g_ptr_array_unref);
  g_clear_pointer (&self->failed_logins, g_ptr_array_unref);

  G_OBJECT_CLASS (casedb_keyslots_parent_class)->finalize (object);
}

static void
casedb_keyslots_class_init (CasedbKeyslotsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = casedb_keyslots_finalize;
}

static void
casedb_keyslots_init (CasedbKeyslots *self)
{
  self->slots = g_ptr_array_new_with_free_func ((GDestroyNotify) slot_free);
  self->failed_logins = g_ptr_array_new_with_free_func ((GDestroyNotify) casedb_failed_login_free);
  self->generation = 1;
}

/* The SQLCipher settings the database is written with, recorded so that
 * SQLCipher 4 (Debian 13) can open it with cipher_compatibility = 3 and
 * the recorded cipher_page_size, or migrate it. */
static JsonObject *
default_cipher (void)
{
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "engine", "sqlcipher");
  json_object_set_int_member (o, "compatibility", 3);
  json_object_set_string_member (o, "cipher", "aes-256-cbc");
  json_object_set_string_member (o, "key", "raw-256");
  json_object_set_int_member (o, "page_size", CASEDB_CIPHER_PAGE_SIZE);
  json_object_set_string_member (o, "hmac", "sha1");
  json_object_set_int_member (o, "kdf_iter", 64000);
  json_object_set_int_member (o, "fast_kdf_iter", 2);
  return o;
}

CasedbKeyslots *
casedb_keyslots_new (const char *database_id)
{
  CasedbKeyslots *self;

  g_return_val_if_fail (database_id != NULL, NULL);

  self = g_object_new (CASEDB_TYPE_KEYSLOTS, NULL);
  self->database_id = g_strdup (database_id);
  self->cipher = default_cipher ();
  return self;
}

const char *
casedb_keyslots_get_database_id (CasedbKeyslots *self)
{
  g_return_val_if_fail (CASEDB_IS_KEYSLOTS (self), NULL);
  return self->database_id;
}

guint
casedb_keyslots_get_generation (CasedbKeyslots *self)
{
  g_return_val_if_fail (CASEDB_IS_KEYSLOTS (self), 0);
  return self->generation;
}

JsonObject *
casedb_keyslots_get_cipher (CasedbKeyslots *self)
{
  g_return_val_if_fail (CASEDB_IS_KEYSLOTS (self), NULL);
  return self->cipher;
}

static Slot *
find_slot (CasedbKeyslots *self, const char *user)
{
  for (guint i = 0; i < self->slots->len; i++)
    {
      Slot *slot = g_ptr_array_index (self->slots, i);

      if (g_strcmp0 (slot->user, user) == 0)
        return slot;
    }
  return NULL;
}

/* ---------------------------------------------------------------------- */
/* Associated data                                                         */

static GBytes *
make_aad (const char *label, ...) G_GNUC_NULL_TERMINATED;

static GBytes *
make_aad (const char *label, ...)
{
  GByteArray *aad = g_byte_array_new ();
  const char *part;
  va_list ap;

  g_byte_array_append (aad, (const guint8 *) label, strlen (label));
  va_start (ap, label);
  while ((part = va_arg (ap, const char *)) != NULL)
    {
      g_byte_array_append (aad, (const guint8 *) "", 1);
      g_byte_array_append (aad, (const guint8 *) part, strlen (part));
    }
  va_end (ap);
  return g_byte_array_free_to_bytes (aad);
}

static GBytes *
secret_aad (CasedbKeyslots *self, const Slot *slot)
{
  return make_aad ("casedb-slot-secret-v1", self->database_id, slot->user, NULL);
}

static GBytes *
keys_aad (CasedbKeyslots *self, const Slot *slot, guint generation)
{
  g_autofree char *gen = g_strdup_printf ("%u", generation);

  return make_aad ("casedb-slot-keys-v1", self->database_id, slot->user,
                   casedb_role_to_string (slot->role), gen, NULL);
}

/* ---------------------------------------------------------------------- */
/* Sealing                                                                 */

static GBytes *
box_keyring (CasedbKeyslots *self, const Slot *slot, guint generation,
             const CasedbKeyring *keys, GError **error)
{
  g_autoptr(GBytes) aad = keys_aad (self, slot, generation);
  gboolean with_identity = casedb_role_holds_identity_key (slot->role);
  guint8 *buf = casedb_secure_alloc (KEYRING_LEN_FULL);
  gsize len = KEYRING_LEN_CODED;
  GBytes *boxed;

  if (with_identity && !keys->has_identity_key)
    {
      casedb_secure_free (buf);
      g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_PERMITTED,
                   _("A %s account can only be set up by someone who holds the identity key"),
                   casedb_role_get_label (slot->role));
      return NULL;
    }

  memcpy (buf, keys->data_key, CASEDB_KEY_LEN);
  memcpy (buf + CASEDB_KEY_LEN, keys->audit_key, CASEDB_KEY_LEN);
  if (with_identity)
    {
      memcpy (buf + 2 * CASEDB_KEY_LEN, keys->identity_key, CASEDB_KEY_LEN);
      len = KEYRING_LEN_FULL;
    }

  boxed = casedb_box_seal (slot->public_key, buf, len,
                           g_bytes_get_data (aad, NULL), g_bytes_get_size (aad), error);
  casedb_secure_free (buf);
  return boxed;
}

/* Derives the password key and seals @secret_key with it into @slot. */
static gboolean
seal_secret (CasedbKeyslots *self, Slot *slot, const char *password,
             const guint8 *secret_key, GError **error)
{
  g_autoptr(GBytes) aad = secret_aad (self, slot);
  guint8 *kek = casedb_secure_alloc (CASEDB_KEY_LEN);
  GBytes *sealed = NULL;

  casedb_random_nonce (slot->salt, SALT_LEN);
  if (casedb_argon2id (password, strlen (password), slot->salt, SALT_LEN, &slot->kdf,
                       kek, CASEDB_KEY_LEN, error))
    sealed = casedb_seal (kek, secret_key, CASEDB_X25519_LEN,
                          g_bytes_get_data (aad, NULL), g_bytes_get_size (aad), error);
  casedb_secure_free (kek);

  if (sealed == NULL)
    return FALSE;
  g_clear_pointer (&slot->secret, g_bytes_unref);
  slot->secret = sealed;
  return TRUE;
}

/* Opens the slot's X25519 secret with @password: (transfer full, secure). */
static guint8 *
open_secret (CasedbKeyslots *self, Slot *slot, const char *password, GError **error)
{
  g_autoptr(GBytes) aad = secret_aad (self, slot);
  guint8 *kek = casedb_secure_alloc (CASEDB_KEY_LEN);
  g_autoptr(GError) local_error = NULL;
  guint8 *secret = NULL;
  gsize len = 0;

  if (!casedb_argon2id (password, strlen (password), slot->salt, SALT_LEN, &slot->kdf,
                        kek, CASEDB_KEY_LEN, error))
    {
      casedb_secure_free (kek);
      return NULL;
    }
  secret = casedb_open (kek, g_bytes_get_data (slot->secret, NULL), g_bytes_get_size (slot->secret),
                        g_bytes_get_data (aad, NULL), g_bytes_get_size (aad), &len, &local_error);
  casedb_secure_free (kek);

  if (secret == NULL || len != CASEDB_X25519_LEN)
    {
      casedb_secure_clear (&secret);
      g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_WRONG_PASSWORD,
                           _("Wrong user name or password"));
      return NULL;
    }
  return secret;
}

static gboolean
valid_user_name (const char *user, GError **error)
{
  gsize len;

  if (user == NULL || *user == '\0' || !g_utf8_validate (user, -1, NULL))
    {
      g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT,
                           _("The user name is empty or not valid text"));
      return FALSE;
    }
  len = g_utf8_strlen (user, -1);
  if (len > MAX_USER_LEN)
    {
      g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT,
                   _("The user name is longer than %d characters"), MAX_USER_LEN);
      return FALSE;
    }
  for (const char *p = user; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c) || g_unichar_isspace (c))
        {
          g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT,
                               _("The user name may not contain spaces or control characters"));
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
valid_password (const char *password, GError **error)
{
  if (password == NULL || *password == '\0')
    {
      g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT,
                           _("The password is empty"));
      return FALSE;
    }
  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* Operations                                                              */

CasedbKeyring *
casedb_keyslots_unlock (CasedbKeyslots *self, const char *user, const char *password,
                        gboolean pending, CasedbRole *role_out, GError **error)
{
  g_autoptr(GBytes) aad = NULL;
  Slot *slot;
  GBytes *boxed;
  guint8 *secret;
  guint8 *ring;
  gsize len = 0;
  CasedbKeyring *keys;

  g_return_val_if_fail (CASEDB_IS_KEYSLOTS (self), NULL);
  g_return_val_if_fail (password != NULL, NULL);

  slot = find_slot (self, user);
  if (slot == NULL)
    {
      /* Spend the same time as a real attempt, so that timing does not tell
       * which user names exist. */
      CasedbKdfParams params;
      guint8 salt[SALT_LEN] = { 0 };
      guint8 *dummy = casedb_secure_alloc (CASEDB_KEY_LEN);

      casedb_kdf_params_default (&params);
      if (self->slots->len > 0)
        params = ((Slot *) g_ptr_array_index (self->slots, 0))->kdf;
      casedb_argon2id (password, strlen (password), salt, SALT_LEN, &params,
                       dummy, CASEDB_KEY_LEN, NULL);
      casedb_secure_free (dummy);
      g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_WRONG_PASSWORD,
                           _("Wrong user name or password"));
      return NULL;
    }

  boxed = pending ? slot->pending_keys : slot->keys;
  if (boxed == NULL)
    {
      g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_NOT_FOUND,
                           _("No re-encryption is pending"));
      return NULL;
    }

  if ((secret = open_secret (self, slot, password, error)) == NULL)
    return NULL;

  aad = keys_aad (self, slot, pending ? self->generation + 1 : self->generation);
  ring = casedb_box_open (secret, g_bytes_get_data (boxed, NULL), g_bytes_get_size (boxed),
                          g_bytes_get_data (aad, NULL), g_bytes_get_size (aad), &len, NULL);
  casedb_secure_free (secret);

  if (ring == NULL ||
      len != (casedb_role_holds_identity_key (slot->role) ? KEYRING_LEN_FULL : KEYRING_LEN_CODED))
    {
      casedb_secure_clear (&ring);
      /* The password was right, so the keys part was changed: a role edited
       * in the file, or damage. */
      g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED,
                   _("The key slot of “%s” is damaged or was altered"), user);
      return NULL;
    }

  keys = casedb_secure_alloc (sizeof *keys);
  memcpy (keys->data_key, ring, CASEDB_KEY_LEN);
  memcpy (keys->audit_key, ring + CASEDB_KEY_LEN, CASEDB_KEY_LEN);
  if (len == KEYRING_LEN_FULL)
    {
      memcpy (keys->identity_key, ring + 2 * CASEDB_KEY_LEN, CASEDB_KEY_LEN);
      keys->has_identity_key = TRUE;
    }
  casedb_secure_free (ring);

  if (role_out != NULL)
    *role_out = slot->role;
  return keys;
}

gboolean
casedb_keyslots_has_pending (CasedbKeyslots *self)
{
  g_return_val_if_fail (CASEDB_IS_KEYSLOTS (self), FALSE);

  for (guint i = 0; i < self->slots->len; i++)
    if (((Slot *) g_ptr_array_index (self->slots, i))->pending_keys != NULL)
      return TRUE;
  return FALSE;
}

/* Fills @slot with a fresh key pair sealed under @password and @keys boxed to it. */
static gboolean
setup_slot (CasedbKeyslots *self, Slot *slot, const char *password,
            const CasedbKdfParams *params, const CasedbKeyring *keys, GError **error)
{
  guint8 *secret = casedb_secure_alloc (CASEDB_X25519_LEN);
  GBytes *boxed;
  gboolean ok;

  if (params != NULL)
    slot->kdf = *params;
  else
    casedb_kdf_params_default (&slot->kdf);

  casedb_x25519_keypair (secret, slot->public_key);
  ok = seal_secret (self, slot, password, secret, error);
  casedb_secure_free (secret);
  if (!ok)
    return FALSE;

  if ((boxed = box_keyring (self, slot, self->generation, keys, error)) == NULL)
    return FALSE;
  g_clear_pointer (&slot->keys, g_bytes_unref);
  slot->keys = boxed;
  g_clear_pointer (&slot->pending_keys, g_bytes_unref);
  g_free (slot->password_changed);
  slot->password_changed = now_iso8601 ();
  return TRUE;
}

gboolean
casedb_keyslots_add (CasedbKeyslots *self, const char *user, CasedbRole role,
                     const char *password, const CasedbKdfParams *params,
                     const CasedbKeyring *keys, GError **error)
{
  Slot *slot;

  g_return_val_if_fail (CASEDB_IS_KEYSLOTS (self), FALSE);
  g_return_val_if_fail (keys != NULL, FALSE);

  if (!valid_user_name (user, error) || !valid_password (password, error))
    return FALSE;
  if (find_slot (self, user) != NULL)
    {
      g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_EXISTS,
                   _("A user named “%s” already exists"), user);
      return FALSE;
    }

  slot = g_new0 (Slot, 1);
  slot->user = g_strdup (user);
  slot->role = role;
  slot->created = now_iso8601 ();
  if (!setup_slot (self, slot, password, params, keys, error))
    {
      slot_free (slot);
      return FALSE;
    }
  g_ptr_array_add (self->slots, slot);
  return TRUE;
}

static Slot *
require_slot (CasedbKeyslots *self, const char *user, GError **error)
{
  Slot *slot = find_slot (self, user);

  if (slot == NULL)
    g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_FOUND,
                 _("There is no user named “%s”"), user);
  return slot;
}

gboolean
casedb_keyslots_remove (CasedbKeyslots *self, const char *user, GError **error)
{
  Slot *slot;

  g_return_val_if_fail (CASEDB_IS_KEYSLOTS (self), FALSE);

  if ((slot = require_slot (self, user, error)) == NULL)
    return FALSE;
  g_ptr_array_remove (self->slots, slot);
  return TRUE;
}

gboolean
casedb_keyslots_change_password (CasedbKeyslots *self, const char *user,
                                 const char *old_password, const char *new_password,
                                 const CasedbKdfParams *params, GError **error)
{
  Slot *slot;
  Slot trial;
  guint8 *secret;
  gboolean ok;

  g_return_val_if_fail (CASEDB_IS_KEYSLOTS (self), FALSE);
  g_return_val_if_fail (old_password != NULL, FALSE);

  if (!valid_password (new_password, error))
    return FALSE;
  slot = find_slot (self, user);
  if (slot == NULL)
    {
      g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_WRONG_PASSWORD,
                           _("Wrong user name or password"));
      return FALSE;
    }
  if ((secret = open_secret (self, slot, old_password, error)) == NULL)
    return FALSE;

  /* Seal into a copy first, so that a failure leaves the slot as it was. */
  trial = *slot;
  trial.secret = NULL;
  if (params != NULL)
    trial.kdf = *params;
  ok = seal_secret (self, &trial, new_password, secret, error);
  casedb_secure_free (secret);
  if (!ok)
    return FALSE;

  g_bytes_unref (slot->secret);
  slot->secret = trial.secret;
  slot->kdf = trial.kdf;
  memcpy (slot->salt, trial.salt, SALT_LEN);
  g_free (slot->password_changed);
  slot->password_changed = now_iso8601 ();
  return TRUE;
}

gboolean
casedb_keyslots_reset_password (CasedbKeyslots *self, const char *user,
                                const char *new_password, const CasedbKdfParams *params,
                                const CasedbKeyring *keys, GError **error)
{
  Slot *slot;
  Slot *fresh;

  g_return_val_if_fail (CASEDB_IS_KEYSLOTS (self), FALSE);
  g_return_val_if_fail (keys != NULL, FALSE);

  if (!valid_password (new_password, error))
    return FALSE;
  if ((slot = require_slot (self, user, error)) == NULL)
    return FALSE;

  fresh = g_new0 (Slot, 1);
  fresh->user = g_strdup (slot->user);
  fresh->role = slot->role;
  fresh->created = g_strdup (slot->created);
  if (!setup_slot (self, fresh, new_password, params, keys, error))
    {
      slot_free (fresh);
      return FALSE;
    }
  for (guint i = 0; i < self->slots->len; i++)
    if (g_ptr_array_index (self->slots, i) == slot)
      {
        slot_free (slot);
        self->slots->pdata[i] = fresh;
        break;
      }
  return TRUE;
}

gboolean
casedb_keyslots_set_role (CasedbKeyslots *self, const char *user, CasedbRole role,
                          const CasedbKeyring *keys, GError **error)
{
  Slot *slot;
  CasedbRole old_role;
  GBytes *boxed;

  g_return_val_if_fail (CASEDB_IS_KEYSLOTS (self), FALSE);
  g_return_val_if_fail (keys != NULL, FALSE);

  if ((slot = require_slot (self, user, error)) == NULL)
    return FALSE;

  old_role = slot->role;
  slot->role = role;
  boxed = box_keyring (self, slot, self->generation, keys, error);
  if (boxed == NULL)
    {
      slot->role = old_role;
      return FALSE;
    }
  g_bytes_unref (slot->keys);
  slot->keys = boxed;
  return TRUE;
}

gboolean
casedb_keyslots_stage_keyring (CasedbKeyslots *self, const CasedbKeyring *new_keys,
                               GError **error)
{
  g_autoptr(GPtrArray) boxes = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  g_return_val_if_fail (CASEDB_IS_KEYSLOTS (self), FALSE);
  g_return_val_if_fail (new_keys != NULL && new_keys->has_identity_key, FALSE);

  /* Public keys let us hand the new keyring to every slot without anyone's
   * password. */
  for (guint i = 0; i < self->slots->len; i++)
    {
      Slot *slot = g_ptr_array_index (self->slots, i);
      GBytes *boxed = box_keyring (self, slot, self->generation + 1, new_keys, error);

      if (boxed == NULL)
        return FALSE;
      g_ptr_array_add (boxes, boxed);
    }
  for (guint i = 0; i < self->slots->len; i++)
    {
      Slot *slot = g_ptr_array_index (self->slots, i);

      g_clear_pointer (&slot->pending_keys, g_bytes_unref);
      slot->pending_keys = g_bytes_ref (g_ptr_array_index (boxes, i));
    }
  return TRUE;
}

void
casedb_keyslots_commit_pending (CasedbKeyslots *self)
{
  g_return_if_fail (CASEDB_IS_KEYSLOTS (self));
  g_return_if_fail (casedb_keyslots_has_pending (self));

  for (guint i = 0; i < self->slots->len; i++)
    {
      Slot *slot = g_ptr_array_index (self->slots, i);

      /* A slot made while the rekey was pending has no pending keys: it
       * keeps what it has rather than being left with none, which would
       * make the whole file unreadable. */
      if (slot->pending_keys == NULL)
        {
          g_warning ("Key slot of %s has no pending keyring; it will need a password reset",
                     slot->user);
          continue;
        }
      g_clear_pointer (&slot->keys, g_bytes_unref);
      slot->keys = g_steal_pointer (&slot->pending_keys);
    }
  self->generation++;
}

void
casedb_keyslots_drop_pending (CasedbKeyslots *self)
{
  g_return_if_fail (CASEDB_IS_KEYSLOTS (self));

  for (guint i = 0; i < self->slots->len; i++)
    g_clear_pointer (&((Slot *) g_ptr_array_index (self->slots, i))->pending_keys, g_bytes_unref);
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

char **
casedb_keyslots_list_users (CasedbKeyslots *self)
{
  GPtrArray *names = g_ptr_array_new ();

  g_return_val_if_fail (CASEDB_IS_KEYSLOTS (self), NULL);

  for (guint i = 0; i < self->slots->len; i++)
    g_ptr_array_add (names, g_strdup (((Slot *) g_ptr_array_index (self->slots, i))->user));
  g_ptr_array_sort (names, compare_strings);
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (names, FALSE);
}

gboolean
casedb_keyslots_get_user (CasedbKeyslots *self, const char *user,
                          CasedbRole *role, GDateTime **password_changed)
{
  Slot *slot;

  g_return_val_if_fail (CASEDB_IS_KEYSLOTS (self), FALSE);

  if ((slot = find_slot (self, user)) == NULL)
    return FALSE;
  if (role != NULL)
    *role = slot->role;
  if (password_changed != NULL)
    *password_changed = g_date_time_new_from_iso8601 (slot->password_changed, NULL);
  return TRUE;
}

gboolean
casedb_keyslots_get_kdf_params (CasedbKeyslots *self, const char *user, CasedbKdfParams *params)
{
  Slot *slot;

  g_return_val_if_fail (CASEDB_IS_KEYSLOTS (self), FALSE);
  g_return_val_if_fail (params != NULL, FALSE);

  if ((slot = find_slot (self, user)) == NULL)
    return FALSE;
  *params = slot->kdf;
  return TRUE;
}

void
casedb_keyslots_note_failed_login (CasedbKeyslots *self, const char *user)
{
  CasedbFailedLogin *f;

  g_return_if_fail (CASEDB_IS_KEYSLOTS (self));

  /* A brute-force run must not grow the file without bound: keep the newest. */
  if (self->failed_logins->len >= MAX_FAILED_LOGINS)
    g_ptr_array_remove_index (self->failed_logins, 0);

  f = g_new0 (CasedbFailedLogin, 1);
  f->user = find_slot (self, user) != NULL ? g_strdup (user) : NULL;
  f->time = now_iso8601 ();
  g_ptr_array_add (self->failed_logins, f);
}

GPtrArray *
casedb_keyslots_take_failed_logins (CasedbKeyslots *self)
{
  GPtrArray *taken;

  g_return_val_if_fail (CASEDB_IS_KEYSLOTS (self), NULL);

  taken = g_steal_pointer (&self->failed_logins);
  self->failed_logins = g_ptr_array_new_with_free_func ((GDestroyNotify) casedb_failed_login_free);
  return taken;
}

/* ---------------------------------------------------------------------- */
/* Reading and writing                                                     */

static void
set_b64 (JsonObject *o, const char *member, const guint8 *data, gsize len)
{
  g_autofree char *b64 = g_base64_encode (data, len);

  json_object_set_string_member (o, member, b64);
}

static void
set_b64_bytes (JsonObject *o, const char *member, GBytes *bytes)
{
  set_b64 (o, member, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

/* SHA-256 of the file's own bytes with the checksum value (at @value_at)
 * read as zeros.  Without it a flipped bit in a salt, a sealed secret or
 * the database id reads as a wrong password, forever, for that user or for
 * everyone.  It is computed over the bytes rather than a re-serialisation
 * so that another json-glib cannot make a sound file look damaged.  It is
 * no defence against a forger: the AAD of each slot is. */
static char *
file_checksum (const char *data, gsize len, gsize value_at)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  static const char zeros[CHECKSUM_HEX_LEN + 1] =
    "0000000000000000000000000000000000000000000000000000000000000000";

  g_assert (value_at + CHECKSUM_HEX_LEN <= len);
  g_checksum_update (checksum, (const guchar *) data, value_at);
  g_checksum_update (checksum, (const guchar *) zeros, CHECKSUM_HEX_LEN);
  g_checksum_update (checksum, (const guchar *) data + value_at + CHECKSUM_HEX_LEN,
                     len - value_at - CHECKSUM_HEX_LEN);
  return g_strdup (g_checksum_get_string (checksum));
}

/* Files written before the checksum existed have none and still load. */
static gboolean
checksum_matches (JsonObject *o, const char *data, gsize len)
{
  JsonNode *node = json_object_get_member (o, CHECKSUM_MEMBER);
  g_autofree char *sum = NULL;
  const char *stored;
  const char *at;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return FALSE;
  stored = json_node_get_string (node);
  if (strlen (stored) != CHECKSUM_HEX_LEN)
    return FALSE;
  at = g_strrstr_len (data, len, stored);
  if (at == NULL)
    return FALSE;
  sum = file_checksum (data, len, at - data);
  return strcmp (sum, stored) == 0;
}

static char *
to_json (CasedbKeyslots *self, gsize *len)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  JsonObject *o = json_object_new ();
  JsonArray *slots = json_array_new ();
  JsonArray *failed = json_array_new ();
  g_autofree char *placeholder = NULL;
  g_autofree char *sum = NULL;
  char *data;
  char *at;

  json_object_set_string_member (o, "format", FORMAT_NAME);
  json_object_set_int_member (o, "version", FORMAT_VERSION);
  json_object_set_string_member (o, "database_id", self->database_id);
  json_object_set_int_member (o, "generation", self->generation);
  json_object_set_object_member (o, "cipher", json_object_ref (self->cipher));

  for (guint i = 0; i < self->slots->len; i++)
    {
      Slot *slot = g_ptr_array_index (self->slots, i);
      JsonObject *s = json_object_new ();
      JsonObject *kdf = json_object_new ();

      json_object_set_string_member (s, "user", slot->user);
      json_object_set_string_member (s, "role", casedb_role_to_string (slot->role));
      json_object_set_string_member (s, "created", slot->created);
      json_object_set_string_member (s, "password_changed", slot->password_changed);
      json_object_set_string_member (kdf, "algorithm", "argon2id");
      json_object_set_int_member (kdf, "iterations", slot->kdf.iterations);
      json_object_set_int_member (kdf, "memory_kib", slot->kdf.memory_kib);
      json_object_set_int_member (kdf, "parallelism", slot->kdf.parallelism);
      set_b64 (kdf, "salt", slot->salt, SALT_LEN);
      json_object_set_object_member (s, "kdf", kdf);
      set_b64 (s, "public_key", slot->public_key, CASEDB_X25519_LEN);
      set_b64_bytes (s, "secret", slot->secret);
      set_b64_bytes (s, "keys", slot->keys);
      if (slot->pending_keys != NULL)
        set_b64_bytes (s, "pending_keys", slot->pending_keys);
      json_array_add_object_element (slots, s);
    }
  json_object_set_array_member (o, "slots", slots);

  for (guint i = 0; i < self->failed_logins->len; i++)
    {
      CasedbFailedLogin *f = g_ptr_array_index (self->failed_logins, i);
      JsonObject *fo = json_object_new ();

      if (f->user != NULL)
        json_object_set_string_member (fo, "user", f->user);
      json_object_set_string_member (fo, "time", f->time);
      json_array_add_object_element (failed, fo);
    }
  json_object_set_array_member (o, "failed_logins", failed);

  /* Last, as a placeholder that file_checksum() sees as zeros. */
  placeholder = g_strnfill (CHECKSUM_HEX_LEN, '0');
  json_object_set_string_member (o, CHECKSUM_MEMBER, placeholder);

  root = json_node_init_object (json_node_alloc (), o);
  json_object_unref (o);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  data = json_generator_to_data (gen, len);

  at = g_strrstr_len (data, *len, placeholder);
  g_assert (at != NULL);
  sum = file_checksum (data, *len, at - data);
  memcpy (at, sum, CHECKSUM_HEX_LEN);
  return data;
}

gboolean
casedb_keyslots_save (CasedbKeyslots *self, const char *path, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *data = NULL;
  gsize len = 0;

  g_return_val_if_fail (CASEDB_IS_KEYSLOTS (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  data = to_json (self, &len);
  /* Temp file, fsync, rename: a crash leaves the old file or the new one. */
  if (!g_file_set_contents_full (path, data, len,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, &local_error))
    {
      g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_IO,
                   _("Could not write the key-slot file “%s”: %s"), path, local_error->message);
      return FALSE;
    }
  return TRUE;
}

typedef struct {
  const char *origin;
  GError    **error;
  gboolean    failed;
} Reader;

static void G_GNUC_PRINTF (2, 3)
reader_fail (Reader *r, const char *format, ...)
{
  g_autofree char *what = NULL;
  va_list ap;

  if (r->failed)
    return;
  va_start (ap, format);
  what = g_strdup_vprintf (format, ap);
  va_end (ap);
  r->failed = TRUE;
  g_set_error (r->error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED,
               /* Translators: first %s is a file name, second what is wrong */
               _("The key-slot file “%s” is damaged: %s"), r->origin, what);
}

static const char *
read_string (Reader *r, JsonObject *o, const char *member, gboolean required)
{
  JsonNode *node = o != NULL ? json_object_get_member (o, member) : NULL;

  if (node == NULL)
    {
      if (required)
        reader_fail (r, _("the field “%s” is missing"), member);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      reader_fail (r, _("the field “%s” is not text"), member);
      return NULL;
    }
  return json_node_get_string (node);
}

static gint64
read_int (Reader *r, JsonObject *o, const char *member, gint64 min, gint64 max)
{
  JsonNode *node = o != NULL ? json_object_get_member (o, member) : NULL;
  gint64 v;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    {
      reader_fail (r, _("the field “%s” is missing or not a number"), member);
      return min;
    }
  v = json_node_get_int (node);
  if (v < min || v > max)
    {
      reader_fail (r, _("the field “%s” is out of range"), member);
      return min;
    }
  return v;
}

static JsonObject *
read_object (Reader *r, JsonObject *o, const char *member)
{
  JsonNode *node = o != NULL ? json_object_get_member (o, member) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      reader_fail (r, _("the field “%s” is missing or not an object"), member);
      return NULL;
    }
  return json_node_get_object (node);
}

static JsonArray *
read_array (Reader *r, JsonObject *o, const char *member, gboolean required)
{
  JsonNode *node = o != NULL ? json_object_get_member (o, member) : NULL;

  if (node == NULL && !required)
    return NULL;
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      reader_fail (r, _("the field “%s” is missing or not a list"), member);
      return NULL;
    }
  return json_node_get_array (node);
}

/* Base64 of exactly @len bytes (or at least @len when @min_only). */
static GBytes *
read_b64 (Reader *r, JsonObject *o, const char *member, gsize len, gboolean min_only,
          gboolean required)
{
  const char *s = read_string (r, o, member, required);
  guchar *data;
  gsize n = 0;

  if (s == NULL)
    return NULL;
  for (const char *p = s; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '+' && *p != '/' && *p != '=')
      {
        reader_fail (r, _("the field “%s” is not base64"), member);
        return NULL;
      }
  data = g_base64_decode (s, &n);
  if (min_only ? n < len : n != len)
    {
      g_free (data);
      reader_fail (r, _("the field “%s” has the wrong length"), member);
      return NULL;
    }
  return g_bytes_new_take (data, n);
}

static Slot *
read_slot (Reader *r, CasedbKeyslots *self, JsonNode *node)
{
  g_autoptr(GBytes) salt = NULL;
  g_autoptr(GBytes) pub = NULL;
  JsonObject *o, *kdf;
  const char *s;
  Slot *slot;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      reader_fail (r, _("a key slot is not an object"));
      return NULL;
    }
  o = json_node_get_object (node);
  slot = g_new0 (Slot, 1);
  slot->user = g_strdup (read_string (r, o, "user", TRUE));
  s = read_string (r, o, "role", TRUE);
  if (s != NULL && !casedb_role_from_string (s, &slot->role))
    reader_fail (r, _("a key slot has an unknown role"));
  slot->created = g_strdup (read_string (r, o, "created", TRUE));
  slot->password_changed = g_strdup (read_string (r, o, "password_changed", TRUE));

  kdf = read_object (r, o, "kdf");
  if (kdf != NULL)
    {
      if (g_strcmp0 (read_string (r, kdf, "algorithm", TRUE), "argon2id") != 0)
        reader_fail (r, _("a key slot names an unknown key derivation"));
      /* Bounds keep a forged file from making us allocate terabytes. */
      slot->kdf.iterations = read_int (r, kdf, "iterations", 1, CASEDB_KDF_MAX_ITERATIONS);
      slot->kdf.memory_kib = read_int (r, kdf, "memory_kib", 8, CASEDB_KDF_MAX_MEMORY_KIB);
      slot->kdf.parallelism = read_int (r, kdf, "parallelism", 1, 64);
      if (!r->failed && slot->kdf.memory_kib < 8 * slot->kdf.parallelism)
        reader_fail (r, _("a key slot has an impossible key derivation cost"));
      salt = read_b64 (r, kdf, "salt", SALT_LEN, FALSE, TRUE);
      if (salt != NULL)
        memcpy (slot->salt, g_bytes_get_data (salt, NULL), SALT_LEN);
    }
  pub = read_b64 (r, o, "public_key", CASEDB_X25519_LEN, FALSE, TRUE);
  if (pub != NULL)
    memcpy (slot->public_key, g_bytes_get_data (pub, NULL), CASEDB_X25519_LEN);
  slot->secret = read_b64 (r, o, "secret", CASEDB_X25519_LEN + CASEDB_SEAL_OVERHEAD, FALSE, TRUE);
  slot->keys = read_b64 (r, o, "keys", KEYRING_LEN_CODED + CASEDB_BOX_OVERHEAD, TRUE, TRUE);
  slot->pending_keys = read_b64 (r, o, "pending_keys", KEYRING_LEN_CODED + CASEDB_BOX_OVERHEAD,
                                 TRUE, FALSE);

  if (!r->failed && (slot->user == NULL || !valid_user_name (slot->user, NULL)))
    reader_fail (r, _("a key slot has an invalid user name"));
  if (!r->failed && find_slot (self, slot->user) != NULL)
    reader_fail (r, _("two key slots have the same user name"));
  if (r->failed)
    {
      slot_free (slot);
      return NULL;
    }
  return slot;
}

CasedbKeyslots *
casedb_keyslots_load_from_data (const char *data, gsize len, const char *origin, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(CasedbKeyslots) self = NULL;
  Reader r = { origin != NULL ? origin : "?", error, FALSE };
  JsonNode *root;
  JsonObject *o, *cipher;
  JsonArray *slots, *failed;
  const char *id;

  if (len == 0 || len > MAX_FILE_SIZE || !g_utf8_validate (data, len, NULL) ||
      !json_parser_load_from_data (parser, data, len, NULL))
    {
      reader_fail (&r, len == 0 ? _("it is empty") : _("it is not a valid key-slot file"));
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      reader_fail (&r, _("it is not a valid key-slot file"));
      return NULL;
    }
  o = json_node_get_object (root);
  if (g_strcmp0 (read_string (&r, o, "format", TRUE), FORMAT_NAME) != 0)
    {
      reader_fail (&r, _("it is not a CaseDB key-slot file"));
      return NULL;
    }
  if (read_int (&r, o, "version", 1, G_MAXINT32) != FORMAT_VERSION && !r.failed)
    {
      g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED,
                   _("The key-slot file “%s” was written by a newer CaseDB"), r.origin);
      return NULL;
    }

  id = read_string (&r, o, "database_id", TRUE);
  if (id != NULL && !g_uuid_string_is_valid (id))
    reader_fail (&r, _("the database id is not valid"));
  if (r.failed)
    return NULL;

  self = casedb_keyslots_new (id);
  self->generation = read_int (&r, o, "generation", 1, G_MAXINT32 - 1);
  cipher = read_object (&r, o, "cipher");
  if (cipher != NULL)
    {
      g_clear_pointer (&self->cipher, json_object_unref);
      self->cipher = json_object_ref (cipher);
    }

  slots = read_array (&r, o, "slots", TRUE);
  for (guint i = 0; slots != NULL && !r.failed && i < json_array_get_length (slots); i++)
    {
      Slot *slot = read_slot (&r, self, json_array_get_element (slots, i));

      if (slot != NULL)
        g_ptr_array_add (self->slots, slot);
    }
  if (!r.failed && self->slots->len == 0)
    reader_fail (&r, _("it holds no key slot"));

  failed = read_array (&r, o, "failed_logins", FALSE);
  for (guint i = 0; failed != NULL && !r.failed && i < json_array_get_length (failed); i++)
    {
      JsonNode *node = json_array_get_element (failed, i);
      JsonObject *fo = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *time = read_string (&r, fo, "time", TRUE);
      const char *user = read_string (&r, fo, "user", FALSE);
      CasedbFailedLogin *f;

      if (r.failed)
        break;
      f = g_new0 (CasedbFailedLogin, 1);
      f->time = g_strdup (time);
      f->user = g_strdup (user);
      g_ptr_array_add (self->failed_logins, f);
    }

  /* Checked after the parse, which the fuzzer thus still reaches. */
  if (!r.failed && !checksum_matches (o, data, len))
    reader_fail (&r, _("its checksum does not match its contents"));

  if (r.failed)
    return NULL;
  return g_steal_pointer (&self);
}

CasedbKeyslots *
casedb_keyslots_load (const char *path, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *data = NULL;
  gsize len = 0;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &data, &len, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_FOUND,
                     _("The key-slot file “%s” is missing: without it the database cannot be opened"),
                     path);
      else
        g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_IO,
                     _("Could not read the key-slot file “%s”: %s"), path, local_error->message);
      return NULL;
    }
  return casedb_keyslots_load_from_data (data, len, path, error);
}
