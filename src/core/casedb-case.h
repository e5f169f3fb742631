/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* The six grave violations of the UN MRM.  Keys are stable (files, exports). */
typedef enum {
  CASEDB_VIOLATION_KILLING_MAIMING,
  CASEDB_VIOLATION_RECRUITMENT_USE,
  CASEDB_VIOLATION_SEXUAL_VIOLENCE,
  CASEDB_VIOLATION_ABDUCTION,
  CASEDB_VIOLATION_ATTACK_SCHOOL_HOSPITAL,
  CASEDB_VIOLATION_DENIAL_HUMANITARIAN_ACCESS,
  CASEDB_N_VIOLATIONS
} CasedbViolationKind;

const char  *casedb_violation_to_key    (CasedbViolationKind kind);
gboolean     casedb_violation_from_key  (const char *key, CasedbViolationKind *kind);
const char  *casedb_violation_get_label (CasedbViolationKind kind);   /* translated */
/* The violations in @mask (bits 1 << CasedbViolationKind), in kind order,
 * joined by @separator: stable keys, or translated labels if @labels.
 * (transfer full) */
char        *casedb_violation_mask_join (guint mask, gboolean labels, const char *separator);
/* NULL-terminated list of the MRM subtypes of @kind (may be empty), e.g.
 * killing_maiming -> killing, maiming; attack_school_hospital -> school,
 * hospital, military_use.  They map one to one onto Primero's MRM lookups. */
const char * const *casedb_violation_get_subtypes (CasedbViolationKind kind);
gboolean     casedb_violation_subtype_valid (CasedbViolationKind kind, const char *subtype);
const char  *casedb_subtype_get_label   (const char *subtype);        /* translated */

typedef enum {
  CASEDB_VERIFICATION_UNVERIFIED,
  CASEDB_VERIFICATION_PENDING,
  CASEDB_VERIFICATION_VERIFIED,
} CasedbVerification;
const char  *casedb_verification_to_key    (CasedbVerification v);
gboolean     casedb_verification_from_key  (const char *key, CasedbVerification *v);
const char  *casedb_verification_get_label (CasedbVerification v);

typedef enum {
  CASEDB_SEX_UNKNOWN,
  CASEDB_SEX_FEMALE,
  CASEDB_SEX_MALE,
} CasedbSex;
const char  *casedb_sex_to_key    (CasedbSex sex);
gboolean     casedb_sex_from_key  (const char *key, CasedbSex *sex);
const char  *casedb_sex_get_label (CasedbSex sex);

typedef enum {
  CASEDB_CONSENT_BY_NONE,
  CASEDB_CONSENT_BY_VICTIM,
  CASEDB_CONSENT_BY_PARENT,
  CASEDB_CONSENT_BY_GUARDIAN,
} CasedbConsentBy;
const char  *casedb_consent_by_to_key    (CasedbConsentBy by);
gboolean     casedb_consent_by_from_key  (const char *key, CasedbConsentBy *by);
const char  *casedb_consent_by_get_label (CasedbConsentBy by);

typedef enum {
  CASEDB_USE_STATISTICS     = 1 << 0,
  CASEDB_USE_SHARE_UN       = 1 << 1,   /* the coded case may go to the UN focal point */
  CASEDB_USE_SHARE_IDENTITY = 1 << 2,
  CASEDB_USE_REFERRAL       = 1 << 3,
  CASEDB_USE_FOLLOWUP       = 1 << 4,
} CasedbConsentUses;
#define CASEDB_N_USES 5
const char  *casedb_use_to_key    (CasedbConsentUses use);   /* single flag: "statistics" … */
const char  *casedb_use_get_label (CasedbConsentUses use);

/*
 * Identity (protected) strings below are marked [identity]: they are in
 * libgcrypt secure memory (free with casedb_secure_free) and are NULL when
 * the case was loaded by a role that may not see identities, or loaded
 * without them.  Dates are "YYYY-MM-DD" or NULL.  Codes: case C-YYYY-NNNN,
 * victim V-…, perpetrator P-…, source/monitor M-….
 */
typedef struct {
  char      *code;          /* V-… ; NULL for a new victim: assigned on save */
  CasedbSex  sex;
  int        age;           /* 0–17, or -1 for unknown */
  char      *name;          /* [identity] */
  char      *guardian;      /* [identity] name and contact of parent/guardian */
  char      *contact;       /* [identity] contact details */
} CasedbVictim;

typedef struct {
  CasedbViolationKind  kind;
  char                *subtype;           /* nullable */
  char                *perpetrator_code;  /* P-… nullable */
  GArray              *victims;           /* guint indexes into CasedbCase.victims */
} CasedbViolation;

typedef struct {
  CasedbConsentBy    given_by;
  char              *date;
  gboolean           informed;        /* told how the information will be handled */
  CasedbConsentUses  uses;
  char              *withhold_from;   /* [identity] who must not be told */
  char              *withhold_reason; /* [identity] */
  char              *legal_basis;     /* legitimate basis for keeping the record */
  char              *retention_review;/* date */
} CasedbConsent;

typedef struct {
  gint64              id;              /* 0 until stored */
  char               *uuid;            /* stable identity across offices; assigned on save */
  char               *code;            /* C-YYYY-NNNN; assigned on save */
  char               *reference;       /* the reporting office's own reference */
  char               *incident_date;
  char               *report_date;
  char               *region;          /* coarse, for statistics */
  char               *location_detail; /* [identity] */
  GPtrArray          *violations;      /* (element-type CasedbViolation) */
  GPtrArray          *victims;         /* (element-type CasedbVictim) */
  char               *source_code;     /* M-… */
  CasedbVerification  verification;
  char               *summary;         /* coded, non-identifying, visible to analysts */
  char               *narrative;       /* [identity] */
  char               *followup_notes;  /* [identity] */
  char               *referral_notes;  /* [identity] */
  gboolean            needs_followup;
  gboolean            draft;
  CasedbConsent       consent;
  gboolean            has_identities;  /* identity fields were loaded */
  char               *created;         /* ISO 8601, set by the store */
  char               *updated;
  char               *updated_by;
} CasedbCase;

#define CASEDB_TYPE_CASE (casedb_case_get_type ())
GType            casedb_case_get_type      (void) G_GNUC_CONST;
CasedbCase      *casedb_case_new           (void);
CasedbCase      *casedb_case_copy          (const CasedbCase *c);
void             casedb_case_free          (CasedbCase *c);      /* wipes identities */
/* Frees and NULLs every [identity] field; has_identities becomes FALSE. */
void             casedb_case_clear_identities (CasedbCase *c);
CasedbVictim    *casedb_case_add_victim    (CasedbCase *c);      /* (transfer none) */
CasedbViolation *casedb_case_add_violation (CasedbCase *c, CasedbViolationKind kind);
void             casedb_case_remove_victim (CasedbCase *c, guint index); /* fixes violation links */
/* Bitmask of (1 << CasedbViolationKind) present in the case. */
guint            casedb_case_get_violation_mask (const CasedbCase *c);

/* Problems that block saving a non-draft case (a draft may be partial but
 * must still be well-formed).  Each entry is a translated message that names
 * the field.  Returns NULL when valid. (transfer full) */
GPtrArray       *casedb_case_validate      (const CasedbCase *c);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CasedbCase, casedb_case_free)

/* Date helper: TRUE if @s is a real calendar date written YYYY-MM-DD. */
gboolean         casedb_date_valid         (const char *s);

G_END_DECLS
