//! People and teams, administered by admins: invitations, roles, teams,
//! deactivation with handover, reassignment, and personal API keys.

use crate::auth::{Language, Role, time_zone};
use crate::double_option;
use crate::validate::{Email, FieldError, FieldErrors, new_password, required_text};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const MAX_NAME: usize = 120;
/// Most customers one reassignment moves.
pub const MAX_REASSIGN: usize = 500;

/// A team: its manager sees its members' records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Team {
    pub id: Uuid,
    pub name: String,
    pub members: u32,
    pub created_at: DateTime<Utc>,
}

/// `POST /api/v1/teams` and `PATCH /api/v1/teams/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TeamInput {
    pub name: String,
}

impl TeamInput {
    /// # Errors
    /// `name` when empty or too long.
    pub fn validate(&self) -> Result<String, FieldErrors> {
        let mut e = FieldErrors::default();
        let name = e.check("name", required_text(&self.name, MAX_NAME));
        e.into_result(name.unwrap_or_default())
    }
}

/// `POST /api/v1/users`: with a password the account is ready; without one
/// the answer carries a one-time invitation link (valid 7 days).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewUserRequest {
    pub email: String,
    pub name: String,
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<Language>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

/// A validated [`NewUserRequest`].
#[derive(Debug, Clone)]
pub struct ValidNewUser {
    pub email: Email,
    pub name: String,
    pub time_zone: String,
    pub password: Option<String>,
}

impl NewUserRequest {
    /// # Errors
    /// Every rejected field.
    pub fn validate(&self) -> Result<ValidNewUser, FieldErrors> {
        let mut e = FieldErrors::default();
        let email = e.check("email", Email::parse(&self.email));
        let name = e.check("name", required_text(&self.name, 200));
        let tz = e.check("time_zone", time_zone(self.time_zone.as_deref().unwrap_or("UTC")));
        let password = self.password.as_deref().and_then(|p| e.check("password", new_password(p)));
        match email {
            Some(email) if e.is_empty() => {
                Ok(ValidNewUser { email, name: name.unwrap_or_default(), time_zone: tz.unwrap_or_default(), password })
            }
            _ => Err(e),
        }
    }
}

/// The new account, and the invitation link when no password was set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserCreated {
    pub user: crate::auth::User,
    /// `/invite/<token>`: shown once; whoever opens it sets the password.
    pub invite_path: Option<String>,
}

/// `PATCH /api/v1/users/{id}`: absent fields stay; `team_id: null` removes from the team.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Uuid>))]
    pub team_id: Option<Option<Uuid>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<Language>,
}

impl UserPatch {
    /// # Errors
    /// Every rejected field.
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::default();
        if let Some(n) = &self.name {
            e.check("name", required_text(n, 200));
        }
        if let Some(tz) = &self.time_zone {
            e.check("time_zone", time_zone(tz));
        }
        e.into_result(())
    }
}

crate::string_enum! {
    /// Spread a leaving user's customers over the other active members of their team.
    HandoverMode { RoundRobin = "round_robin" }
}

/// `POST /api/v1/users/{id}/deactivate`: name exactly one receiver
/// (`handover_to`) or `handover: round_robin`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Deactivate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handover_to: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handover: Option<HandoverMode>,
}

impl Deactivate {
    /// # Errors
    /// `handover` when neither or both ways are named.
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::default();
        if self.handover_to.is_some() == self.handover.is_some() {
            e.add("handover", FieldError::Required);
        }
        e.into_result(())
    }
}

/// What moved in a handover or reassignment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Moved {
    pub customers: u32,
    pub deals: u32,
    pub reminders: u32,
}

/// `POST /api/v1/customers/reassign`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Reassign {
    pub customer_ids: Vec<Uuid>,
    pub owner_id: Uuid,
}

impl Reassign {
    /// # Errors
    /// `customer_ids` when empty or longer than [`MAX_REASSIGN`].
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::default();
        if self.customer_ids.is_empty() {
            e.add("customer_ids", FieldError::Required);
        } else if self.customer_ids.len() > MAX_REASSIGN {
            e.add("customer_ids", FieldError::TooMany { max: MAX_REASSIGN });
        }
        e.into_result(())
    }
}

/// `POST /api/v1/auth/accept-invite`: the invitation's token and the new password.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AcceptInvite {
    pub token: String,
    pub password: String,
    /// The person's own time zone (the web app sends the browser's); the
    /// one the admin gave (UTC unless set) stays when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
}

crate::string_enum! {
    /// Read keys may only read (GET); write keys act fully as their owner.
    KeyScope { Read = "read", Write = "write" }
}

/// A personal API key (the secret is never shown again after creation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiKey {
    pub id: Uuid,
    pub name: String,
    /// The key's first characters, to tell keys apart.
    pub prefix: String,
    pub scope: KeyScope,
    pub last_used_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// `POST /api/v1/api-keys`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewApiKey {
    pub name: String,
    pub scope: KeyScope,
}

/// The new key with its secret: use it as `Authorization: Bearer <secret>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiKeyCreated {
    pub key: ApiKey,
    pub secret: String,
}

/// One rep's figures on the team dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RepFigures {
    pub user: crate::customer::UserRef,
    pub role: Role,
    /// Customers they own (not archived, not in the pool).
    pub customers: u32,
    /// Of those, not contacted for the org's "stale after" days.
    pub not_contacted: u32,
    /// Activities they logged since Monday 00:00 (the viewer's time zone), by kind.
    pub activities_this_week: std::collections::BTreeMap<String, u32>,
    pub open_reminders: u32,
    pub overdue_reminders: u32,
    /// Their open deals per stage id: count and amount (minor units).
    pub deals_by_stage: Vec<StageFigures>,
    pub open_deal_amount_minor: i64,
    pub last_activity_at: Option<DateTime<Utc>>,
}

/// Open deals of one stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StageFigures {
    pub stage_id: Uuid,
    pub stage: String,
    pub count: u32,
    pub amount_minor: i64,
}

/// `GET /api/v1/team/dashboard`: one row per active person the viewer sees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamDashboard {
    /// Monday 00:00 of this week in the viewer's time zone (UTC).
    pub week_starts_at: DateTime<Utc>,
    pub stale_after_days: u32,
    pub reps: Vec<RepFigures>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deactivate_names_exactly_one_receiver() {
        assert!(Deactivate::default().validate().is_err());
        let both = Deactivate { handover_to: Some(Uuid::nil()), handover: Some(HandoverMode::RoundRobin) };
        assert!(both.validate().is_err());
        let d: Deactivate = serde_json::from_str(r#"{"handover":"round_robin"}"#).unwrap_or_default();
        assert!(d.validate().is_ok());
    }

    #[test]
    fn a_new_user_needs_a_valid_email_and_a_strong_enough_password_if_any() {
        let mut r = NewUserRequest {
            email: "not-an-email".into(),
            name: "Rita".into(),
            role: Role::Rep,
            team_id: None,
            time_zone: None,
            language: None,
            password: Some("short".into()),
        };
        let e = r.validate().err().unwrap_or_default();
        assert!(e.get("email").is_some() && e.get("password").is_some());
        r.email = "rita@example.com".into();
        r.password = None;
        assert!(r.validate().is_ok());
    }
}
