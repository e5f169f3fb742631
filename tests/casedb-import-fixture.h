/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/*
 * Builds import CSV files for test-import and test-cli: fixtures are made
 * by code, so each test shows the rows it depends on.
 */

#include <glib.h>

#include "casedb-csv.h"

G_BEGIN_DECLS

typedef enum {
  FX_CASE_REF,
  FX_INCIDENT_DATE,
  FX_REPORT_DATE,
  FX_REGION,
  FX_LOCATION_DETAIL,
  FX_VIOLATION,
  FX_SUBTYPE,
  FX_VICTIM_NAME,
  FX_VICTIM_SEX,
  FX_VICTIM_AGE,
  FX_PERPETRATOR_PARTY,
  FX_SOURCE_CODE,
  FX_VERIFICATION,
  FX_SUMMARY,
  FX_NARRATIVE,
  FX_CONSENT_BY,
  FX_CONSENT_STATISTICS,
  FX_CONSENT_SHARE_UN,
  FX_CONSENT_SHARE_IDENTITY,
  FX_CONSENT_REFERRAL,
  FX_CONSENT_FOLLOWUP,
  FX_N_COLUMNS
} FixtureColumn;

static const char * const fixture_columns[FX_N_COLUMNS] G_GNUC_UNUSED = {
  "case_ref", "incident_date", "report_date", "region", "location_detail", "violation",
  "subtype", "victim_name", "victim_sex", "victim_age", "perpetrator_party", "source_code",
  "verification", "summary", "narrative", "consent_by", "consent_statistics",
  "consent_share_un", "consent_share_identity", "consent_referral", "consent_followup",
};

typedef struct {
  const char *v[FX_N_COLUMNS];
} FixtureRow;

/* A valid row of case @ref with one named victim. */
static inline FixtureRow
fixture_row (const char *ref)
{
  FixtureRow row = { {
    [FX_CASE_REF] = ref,
    [FX_INCIDENT_DATE] = "2023-03-14",
    [FX_REPORT_DATE] = "2023-03-20",
    [FX_REGION] = "River District",
    [FX_LOCATION_DETAIL] = "Kalo village (fictional)",
    [FX_VIOLATION] = "abduction",
    [FX_SUBTYPE] = "",
    [FX_VICTIM_NAME] = "Hana (fictional)",
    [FX_VICTIM_SEX] = "female",
    [FX_VICTIM_AGE] = "11",
    [FX_PERPETRATOR_PARTY] = "P-0001",
    [FX_SOURCE_CODE] = "M-0001",
    [FX_VERIFICATION] = "pending",
    [FX_SUMMARY] = "A girl abducted near the market",
    [FX_NARRATIVE] = "(fictional) Told by her mother.",
    [FX_CONSENT_BY] = "parent",
    [FX_CONSENT_STATISTICS] = "yes",
    [FX_CONSENT_SHARE_UN] = "yes",
    [FX_CONSENT_SHARE_IDENTITY] = "no",
    [FX_CONSENT_REFERRAL] = "no",
    [FX_CONSENT_FOLLOWUP] = "yes",
  } };

  return row;
}

static inline void
fixture_append_header (GString *out)
{
  for (guint i = 0; i < FX_N_COLUMNS; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append (out, fixture_columns[i]);
    }
  g_string_append (out, "\r\n");
}

static inline void
fixture_append_row (GString *out, const FixtureRow *row)
{
  for (guint i = 0; i < FX_N_COLUMNS; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      casedb_csv_append_field (out, row->v[i] != NULL ? row->v[i] : "");
    }
  g_string_append (out, "\r\n");
}

G_END_DECLS
