//! The audit log: who did what to which record, when and from where.
//! Admins read it through `GET /api/v1/audit`; nothing in the API changes it.

use crate::customer::UserRef;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

crate::string_enum! {
    /// What happened. Dotted names group by area (`login.*`, `user.*`).
    AuditAction {
        LoginSucceeded = "login.succeeded",
        LoginFailed = "login.failed",
        SessionRefreshed = "session.refreshed",
        SessionEnded = "session.ended",
        CalendarFeedCreated = "calendar_feed.created",
        CalendarFeedRevoked = "calendar_feed.revoked",
        ApiKeyCreated = "api_key.created",
        ApiKeyRevoked = "api_key.revoked",
        UserCreated = "user.created",
        UserUpdated = "user.updated",
        UserRoleChanged = "user.role_changed",
        UserDeactivated = "user.deactivated",
        CustomersReassigned = "customers.reassigned",
        CustomerClaimed = "customer.claimed",
        InviteAccepted = "user.invite_accepted",
        PasswordChanged = "user.password_changed",
        SettingsChanged = "settings.changed",
        CustomerArchived = "customer.archived",
        DealArchived = "deal.archived",
        ActivityDeleted = "activity.deleted",
        Export = "export",
    }
}

crate::string_enum! {
    /// The kind of record an entry is about.
    AuditTarget {
        Org = "org",
        User = "user",
        Team = "team",
        ApiKey = "api_key",
        CalendarFeed = "calendar_feed",
        Customer = "customer",
        Deal = "deal",
        Activity = "activity",
        Pipeline = "pipeline",
        Stage = "stage",
        Playbook = "playbook",
    }
}

/// One entry of the audit log.
///
/// `action` and `target_type` travel as plain strings (values of
/// [`AuditAction`] and [`AuditTarget`]) so a client built before a new
/// action was added still reads the whole log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEvent {
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
    /// Who acted; absent for a failed login (nobody was signed in).
    pub actor: Option<UserRef>,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<Uuid>,
    /// The client's network address, when the action came from a request.
    pub address: Option<String>,
    /// The changed fields before and after (absent for creations and removals respectively).
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// `GET /api/v1/audit` filters; newest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams, utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<AuditAction>,
    /// Only entries by this user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_id: Option<Uuid>,
    /// Only entries about this record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_id: Option<Uuid>,
    /// Only entries at or after this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<DateTime<Utc>>,
    /// Only entries before this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_travel_as_their_dotted_names() {
        for action in AuditAction::ALL {
            assert_eq!(AuditAction::parse(action.as_str()), Some(*action));
            let json = serde_json::to_value(action).ok();
            assert_eq!(json, Some(Value::String(action.as_str().into())));
        }
    }
}
