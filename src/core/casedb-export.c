/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-export"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "casedb-error.h"
#include "casedb-export.h"
#include "casedb-json-writer.h"
#include "casedb-secure.h"

#define UN_FORMAT         "casedb-un-export"
#define UN_FORMAT_VERSION 1
#define UN_ENTRY          "cases.json"

gboolean
casedb_export_check_passphrase (const char  *passphrase,
                                GError     **error)
{
  g_return_val_if_fail (passphrase != NULL, FALSE);

  if (!g_utf8_validate (passphrase, -1, NULL) ||
      g_utf8_strlen (passphrase, -1) < CASEDB_PASSPHRASE_MIN_LEN)
    {
      g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT,
                   g_dngettext (GETTEXT_PACKAGE,
                                "The passphrase is too short: use at least %d character",
                                "The passphrase is too short: use at least %d characters",
                                CASEDB_PASSPHRASE_MIN_LEN),
                   CASEDB_PASSPHRASE_MIN_LEN);
      return FALSE;
    }
  return TRUE;
}

static void
write_un_case (CasedbJsonWriter *w, const CasedbCase *c, gboolean identities)
{
  casedb_json_writer_begin_object (w);
  casedb_json_writer_member_string (w, "code", c->code);
  casedb_json_writer_member_string (w, "incident_date", c->incident_date);
  casedb_json_writer_member_string (w, "report_date", c->report_date);
  casedb_json_writer_member_string (w, "region", c->region);
  casedb_json_writer_member_string (w, "verification", casedb_verification_to_key (c->verification));
  casedb_json_writer_member_string (w, "summary", c->summary);

  casedb_json_writer_member (w, "violations");
  casedb_json_writer_begin_array (w);
  for (guint i = 0; i < c->violations->len; i++)
    {
      const CasedbViolation *v = g_ptr_array_index (c->violations, i);

      casedb_json_writer_begin_object (w);
      casedb_json_writer_member_string (w, "kind", casedb_violation_to_key (v->kind));
      casedb_json_writer_member_string (w, "subtype", v->subtype);
      casedb_json_writer_member_string (w, "perpetrator_code", v->perpetrator_code);
      casedb_json_writer_member (w, "victims");
      casedb_json_writer_begin_array (w);
      for (guint j = 0; v->victims != NULL && j < v->victims->len; j++)
        {
          guint idx = g_array_index (v->victims, guint, j);

          if (idx < c->victims->len)
            casedb_json_writer_string (w, ((CasedbVictim *) g_ptr_array_index (c->victims, idx))->code);
        }
      casedb_json_writer_end_array (w);
      casedb_json_writer_end_object (w);
    }
  casedb_json_writer_end_array (w);

  casedb_json_writer_member (w, "victims");
  casedb_json_writer_begin_array (w);
  for (guint i = 0; i < c->victims->len; i++)
    {
      const CasedbVictim *v = g_ptr_array_index (c->victims, i);

      casedb_json_writer_begin_object (w);
      casedb_json_writer_member_string (w, "code", v->code);
      casedb_json_writer_member_string (w, "sex", casedb_sex_to_key (v->sex));
      casedb_json_writer_member (w, "age");
      if (v->age >= 0)
        casedb_json_writer_int (w, v->age);
      else
        casedb_json_writer_null (w);
      if (identities)
        casedb_json_writer_member_string (w, "name", v->name);
      casedb_json_writer_end_object (w);
    }
  casedb_json_writer_end_array (w);

  casedb_json_writer_member_bool (w, "identities_included", identities);
  if (identities)
    {
      casedb_json_writer_member_string (w, "location_detail", c->location_detail);
      casedb_json_writer_member_string (w, "narrative", c->narrative);
    }
  casedb_json_writer_end_object (w);
}

static gboolean
may_share_identity (const CasedbCase *c)
{
  return (c->consent.uses & CASEDB_USE_SHARE_UN) && (c->consent.uses & CASEDB_USE_SHARE_IDENTITY);
}

gboolean
casedb_export_un (CasedbStore            *store,
                  const char             *path,
                  const char             *passphrase,
                  gboolean                with_identities,
                  const CasedbKdfParams  *params,
                  CasedbUnExportResult   *result,
                  GError                **error)
{
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GArray) identity_ids = NULL;
  g_autoptr(GPtrArray) coded = NULL;
  g_autoptr(GPtrArray) full = NULL;
  g_autoptr(GPtrArray) selected = NULL;
  g_autoptr(GHashTable) full_by_id = NULL;
  g_autoptr(CasedbJsonWriter) w = NULL;
  g_autoptr(CasedbPackageWriter) pw = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *created = g_date_time_format_iso8601 (now);
  g_autofree char *detail = NULL;
  CasedbUnExportResult res = { 0, };
  const guint8 *data;
  gsize len;

  g_return_val_if_fail (CASEDB_IS_STORE (store), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (passphrase != NULL, FALSE);

  if (!casedb_store_require (store, CASEDB_PERM_EXPORT, error))
    return FALSE;
  if (with_identities && !casedb_store_require (store, CASEDB_PERM_READ_IDENTITY, error))
    return FALSE;
  if (!casedb_export_check_passphrase (passphrase, error))
    return FALSE;
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_EXISTS,
                   _("“%s” already exists; choose another name"), path);
      return FALSE;
    }

  /* Consent is read from the coded records first; identities are then
   * decrypted only for the cases that may carry them. */
  if ((ids = casedb_store_list_case_ids (store, NULL, error)) == NULL ||
      (coded = casedb_store_load_cases (store, ids, FALSE, NULL, error)) == NULL)
    return FALSE;

  selected = g_ptr_array_new ();
  identity_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint i = 0; i < coded->len; i++)
    {
      CasedbCase *c = g_ptr_array_index (coded, i);

      if (c->draft)
        res.n_drafts++;
      else if (!(c->consent.uses & CASEDB_USE_SHARE_UN))
        res.n_no_consent++;
      else
        {
          g_ptr_array_add (selected, c);
          if (with_identities && may_share_identity (c))
            g_array_append_val (identity_ids, c->id);
        }
    }

  full_by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  if (identity_ids->len > 0)
    {
      full = casedb_store_load_cases (store, identity_ids, TRUE, "UN package", error);
      if (full == NULL)
        return FALSE;
      for (guint i = 0; i < full->len; i++)
        {
          CasedbCase *c = g_ptr_array_index (full, i);

          g_hash_table_insert (full_by_id, &c->id, c);
        }
    }

  w = casedb_json_writer_new ();
  casedb_json_writer_begin_object (w);
  casedb_json_writer_member_string (w, "format", UN_FORMAT);
  casedb_json_writer_member_int (w, "version", UN_FORMAT_VERSION);
  casedb_json_writer_member_string (w, "created", created);
  casedb_json_writer_member_bool (w, "with_identities", with_identities);
  casedb_json_writer_member (w, "cases");
  casedb_json_writer_begin_array (w);
  for (guint i = 0; i < selected->len; i++)
    {
      CasedbCase *c = g_ptr_array_index (selected, i);
      CasedbCase *f = g_hash_table_lookup (full_by_id, &c->id);

      /* The consent of the copy read with identities decides (it may have
       * changed in between). */
      if (f != NULL)
        {
          if (f->draft || !(f->consent.uses & CASEDB_USE_SHARE_UN))
            continue;
          c = f;
        }
      write_un_case (w, c, f != NULL && may_share_identity (f));
      res.n_cases++;
      if (f != NULL && may_share_identity (f))
        res.n_with_identities++;
    }
  casedb_json_writer_end_array (w);
  casedb_json_writer_end_object (w);
  g_clear_pointer (&full_by_id, g_hash_table_unref);
  g_clear_pointer (&full, g_ptr_array_unref);

  data = casedb_json_writer_get_data (w, &len);
  pw = casedb_package_writer_new (path, CASEDB_PACKAGE_UN_EXPORT, passphrase, params, error);
  if (pw == NULL ||
      !casedb_package_writer_add (pw, UN_ENTRY, data, len, error) ||
      !casedb_package_writer_finish (pw, error))
    return FALSE;
  g_clear_pointer (&w, casedb_json_writer_free);

  detail = g_strdup_printf ("UN package: %u cases, %u with identities, %u left out without consent "
                            "to share with the UN, %u drafts left out",
                            res.n_cases, res.n_with_identities, res.n_no_consent, res.n_drafts);
  /* An export that cannot be audited does not leave the office. */
  if (!casedb_store_audit (store, "export", detail, error))
    {
      g_unlink (path);
      return FALSE;
    }

  if (result != NULL)
    *result = res;
  return TRUE;
}
