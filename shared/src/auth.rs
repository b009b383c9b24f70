//! Sessions, users and first-run setup.

use crate::validate::{Email, FieldError, FieldErrors, new_password, required_text};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What a user may see and do: admin (whole org), manager (their team), rep (own records).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Manager,
    Rep,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Manager => "manager",
            Self::Rep => "rep",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "admin" => Some(Self::Admin),
            "manager" => Some(Self::Manager),
            "rep" => Some(Self::Rep),
            _ => None,
        }
    }
}

/// The languages the interface is translated into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Language {
    #[default]
    #[serde(rename = "en")]
    En,
    #[serde(rename = "zh-CN")]
    ZhCn,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::En, Language::ZhCn];

    /// The BCP 47 tag, as used by `Intl` and `Accept-Language`.
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::ZhCn => "zh-CN",
        }
    }

    /// Best match for a BCP 47 tag such as `zh-Hans-CN` or `en-GB`.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let lower = tag.trim().to_ascii_lowercase();
        if lower.starts_with("zh") {
            Some(Self::ZhCn)
        } else if lower.starts_with("en") {
            Some(Self::En)
        } else {
            None
        }
    }
}

/// A signed-in person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    pub id: Uuid,
    pub org_id: Uuid,
    pub org_name: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// IANA time zone, e.g. `Asia/Shanghai`; reminders and dates use it.
    pub time_zone: String,
    pub language: Language,
    #[serde(default)]
    pub team_id: Option<Uuid>,
    /// False once deactivated (they can no longer sign in).
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// `POST /api/v1/auth/login`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

/// A new session: the bearer token (also set as an HttpOnly cookie) and who it is for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until `access_token` expires.
    pub expires_in: u64,
    pub user: User,
}

/// `GET /api/v1/setup`: whether the first-run page should be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetupStatus {
    pub needs_setup: bool,
}

/// `POST /api/v1/setup`: creates the organisation and its first admin.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetupRequest {
    pub org_name: String,
    pub name: String,
    pub email: String,
    pub password: String,
    #[serde(default)]
    pub time_zone: Option<String>,
    #[serde(default)]
    pub language: Option<Language>,
}

/// A validated [`SetupRequest`].
#[derive(Debug, Clone)]
pub struct ValidSetup {
    pub org_name: String,
    pub name: String,
    pub email: Email,
    pub password: String,
    pub time_zone: String,
    pub language: Language,
}

impl SetupRequest {
    /// # Errors
    /// Every rejected field.
    pub fn validate(&self) -> Result<ValidSetup, FieldErrors> {
        let mut e = FieldErrors::default();
        let org_name = e.check("org_name", required_text(&self.org_name, 120));
        let name = e.check("name", required_text(&self.name, 120));
        let email = e.check("email", Email::parse(&self.email));
        let password = e.check("password", new_password(&self.password));
        let time_zone = e.check("time_zone", time_zone(self.time_zone.as_deref().unwrap_or("UTC")));
        match (org_name, name, email, password, time_zone) {
            (Some(org_name), Some(name), Some(email), Some(password), Some(time_zone)) if e.is_empty() => {
                Ok(ValidSetup {
                    org_name,
                    name,
                    email,
                    password,
                    time_zone,
                    language: self.language.unwrap_or_default(),
                })
            }
            _ => Err(e),
        }
    }
}

/// `PATCH /api/v1/me`: a user's own preferences.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateMe {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub time_zone: Option<String>,
    #[serde(default)]
    pub language: Option<Language>,
}

/// `POST /api/v1/me/password`: a new password, proven by the current one.
/// Every session of the user ends; the caller gets a fresh one.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    pub current_password: String,
    /// 8–128 characters, as for a new account.
    pub new_password: String,
}

impl ChangePassword {
    /// The new password, if both fields are acceptable in shape (whether the
    /// current one is right only the server can tell).
    ///
    /// # Errors
    /// Every rejected field.
    pub fn validate(&self) -> Result<String, FieldErrors> {
        let mut e = FieldErrors::default();
        if self.current_password.is_empty() {
            e.add("current_password", FieldError::Required);
        }
        let new = e.check("new_password", new_password(&self.new_password));
        match new {
            Some(new) if e.is_empty() => Ok(new),
            _ => Err(e),
        }
    }
}

/// Accepts `UTC` or an IANA-shaped name (`Area/City`, letters, `_`, `-`, `+`, digits).
///
/// # Errors
/// `UnknownValue` for anything else.
pub fn time_zone(raw: &str) -> Result<String, FieldError> {
    let tz = raw.trim();
    let shaped = tz == "UTC"
        || (tz.len() <= 64
            && tz.contains('/')
            && tz
                .split('/')
                .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || "_-+".contains(c))));
    if shaped { Ok(tz.to_owned()) } else { Err(FieldError::UnknownValue) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setup_collects_every_error() {
        let req = SetupRequest { email: "nope".into(), password: "short".into(), ..Default::default() };
        let errors = req.validate().err().map(|e| e.0.into_keys().collect::<Vec<_>>());
        assert_eq!(errors, Some(vec!["email".into(), "name".into(), "org_name".into(), "password".into()]));
    }

    #[test]
    fn a_password_change_needs_the_current_one_and_a_valid_new_one() {
        let bad = ChangePassword { current_password: String::new(), new_password: "short".into() };
        let errors = bad.validate().err().map(|e| e.0.into_keys().collect::<Vec<_>>());
        assert_eq!(errors, Some(vec!["current_password".into(), "new_password".into()]));
        let good = ChangePassword { current_password: "old one".into(), new_password: "a long new one".into() };
        assert_eq!(good.validate().ok().as_deref(), Some("a long new one"));
    }

    #[test]
    fn time_zones() {
        assert!(time_zone("Asia/Shanghai").is_ok());
        assert!(time_zone("America/Argentina/Buenos_Aires").is_ok());
        assert!(time_zone("UTC").is_ok());
        assert!(time_zone("Mars").is_err());
        assert!(time_zone("Asia/../etc").is_err());
    }

    #[test]
    fn language_tags() {
        assert_eq!(Language::from_tag("zh-Hans-CN"), Some(Language::ZhCn));
        assert_eq!(Language::from_tag("en-GB"), Some(Language::En));
        assert_eq!(Language::from_tag("fr"), None);
    }
}
