//! The typed client of `/api/v1`: one function per endpoint, over one fetch
//! function. It runs in the browser only (pages fetch after hydration); the
//! server renders skeletons and never calls it.

use futures_util::future::{FutureExt, LocalBoxFuture, Shared};
use rapport_shared::activity::{Activity, NewActivity};
use rapport_shared::auth::{ChangePassword, LoginRequest, LoginResponse, SetupRequest, SetupStatus, UpdateMe, User};
use rapport_shared::customer::{Contact, Customer, CustomerPatch, CustomerQuery, NewContact, NewCustomer};
use rapport_shared::org_settings::{OrgSettings, OrgSettingsPatch};
use rapport_shared::pipeline::{
    Board, BoardQuery, Deal, DealDetail, DealQuery, MoveDeal, NewDeal, NewStage, Pipeline, ReorderStages, Stage,
    StagePatch,
};
use rapport_shared::playbook::{ApplyPlaybook, NewPlaybook, Playbook, PlaybookPatch, PlaybookRun};
use rapport_shared::reminder::{
    CalendarFeed, CalendarFeedStatus, NewReminder, Notification, Reminder, ReminderCounts, ReminderPatch, ReminderQuery,
};
use rapport_shared::team::{
    AcceptInvite, ApiKey, ApiKeyCreated, Deactivate, Moved, NewApiKey, NewUserRequest, Reassign, Team, TeamDashboard,
    TeamInput, UserCreated, UserPatch,
};
use rapport_shared::timeline::{TimelineEvent, TimelineQuery};
use rapport_shared::{ErrorBody, ErrorCode, Page};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Why a call failed.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// No answer: offline, server down, or a body we could not read.
    Network,
    /// The server answered with an error body.
    Api { status: u16, body: ErrorBody },
}

impl ApiError {
    /// What the server answers for a record that does not exist (also used
    /// for a malformed id in the address bar).
    pub fn not_found() -> Self {
        Self::Api {
            status: 404,
            body: ErrorBody {
                code: ErrorCode::NotFound,
                message: "not found".into(),
                fields: BTreeMap::new(),
                details: None,
            },
        }
    }

    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Self::Api { body, .. } => Some(body.code),
            Self::Network => None,
        }
    }

    pub fn is_unauthenticated(&self) -> bool {
        matches!(self, Self::Api { status: 401, .. })
    }

    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::Api { status: 404, .. })
    }

    pub fn is_forbidden(&self) -> bool {
        matches!(self, Self::Api { status: 403, .. })
    }

    /// The machine-readable context of the error, if any (`error.details`).
    pub fn details(&self) -> Option<&serde_json::Value> {
        match self {
            Self::Api { body, .. } => body.details.as_ref(),
            Self::Network => None,
        }
    }

    /// Field → message, for validation errors.
    pub fn fields(&self) -> BTreeMap<String, String> {
        match self {
            Self::Api { body, .. } => body.fields.clone(),
            Self::Network => BTreeMap::new(),
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    Get,
    Post,
    Patch,
    Delete,
}

pub async fn setup_status() -> ApiResult<SetupStatus> {
    call(Method::Get, "/setup", None::<&()>).await
}

pub async fn setup(req: &SetupRequest) -> ApiResult<LoginResponse> {
    call(Method::Post, "/setup", Some(req)).await
}

pub async fn login(req: &LoginRequest) -> ApiResult<LoginResponse> {
    call(Method::Post, "/auth/login", Some(req)).await
}

pub async fn logout() -> ApiResult<()> {
    call_empty(Method::Post, "/auth/logout").await
}

pub async fn me() -> ApiResult<User> {
    call(Method::Get, "/me", None::<&()>).await
}

pub async fn update_me(patch: &UpdateMe) -> ApiResult<User> {
    call(Method::Patch, "/me", Some(patch)).await
}

/// Changes the password; the response's cookies are the new session.
pub async fn change_password(change: &ChangePassword) -> ApiResult<LoginResponse> {
    call(Method::Post, "/me/password", Some(change)).await
}

pub async fn customers(query: &CustomerQuery) -> ApiResult<Page<Customer>> {
    let qs = serde_urlencoded::to_string(query).unwrap_or_default();
    call(Method::Get, &format!("/customers?{qs}"), None::<&()>).await
}

pub async fn customer(id: Uuid) -> ApiResult<Customer> {
    call(Method::Get, &format!("/customers/{id}"), None::<&()>).await
}

pub async fn create_customer(input: &NewCustomer) -> ApiResult<Customer> {
    call(Method::Post, "/customers", Some(input)).await
}

pub async fn update_customer(id: Uuid, patch: &CustomerPatch) -> ApiResult<Customer> {
    call(Method::Patch, &format!("/customers/{id}"), Some(patch)).await
}

pub async fn archive_customer(id: Uuid) -> ApiResult<()> {
    call_empty(Method::Delete, &format!("/customers/{id}")).await
}

/// Claims a customer from the shared pool (first claim wins).
pub async fn claim_customer(id: Uuid) -> ApiResult<Customer> {
    call(Method::Post, &format!("/customers/{id}/claim"), None::<&()>).await
}

pub async fn org_settings() -> ApiResult<OrgSettings> {
    call(Method::Get, "/org/settings", None::<&()>).await
}

pub async fn update_org_settings(patch: &OrgSettingsPatch) -> ApiResult<OrgSettings> {
    call(Method::Patch, "/org/settings", Some(patch)).await
}

pub async fn contacts(customer_id: Uuid) -> ApiResult<Vec<Contact>> {
    call(Method::Get, &format!("/customers/{customer_id}/contacts"), None::<&()>).await
}

pub async fn create_contact(customer_id: Uuid, input: &NewContact) -> ApiResult<Contact> {
    call(Method::Post, &format!("/customers/{customer_id}/contacts"), Some(input)).await
}

pub async fn delete_contact(id: Uuid) -> ApiResult<()> {
    call_empty(Method::Delete, &format!("/contacts/{id}")).await
}

pub async fn timeline(customer_id: Uuid, query: &TimelineQuery) -> ApiResult<Page<TimelineEvent>> {
    let qs = serde_urlencoded::to_string(query).unwrap_or_default();
    call(Method::Get, &format!("/customers/{customer_id}/timeline?{qs}"), None::<&()>).await
}

/// Logs an activity; `key` makes a retry return the first result instead of a duplicate.
pub async fn log_activity(customer_id: Uuid, input: &NewActivity, key: &str) -> ApiResult<Activity> {
    let body = encode(input);
    let text =
        send_with_refresh(Method::Post, &format!("/customers/{customer_id}/activities"), body, Some(key)).await?;
    decode(&text)
}

pub async fn pipelines() -> ApiResult<Vec<Pipeline>> {
    call(Method::Get, "/pipelines", None::<&()>).await
}

pub async fn board(pipeline_id: Uuid, query: &BoardQuery) -> ApiResult<Board> {
    let qs = serde_urlencoded::to_string(query).unwrap_or_default();
    call(Method::Get, &format!("/pipelines/{pipeline_id}/board?{qs}"), None::<&()>).await
}

pub async fn add_stage(pipeline_id: Uuid, input: &NewStage) -> ApiResult<Stage> {
    call(Method::Post, &format!("/pipelines/{pipeline_id}/stages"), Some(input)).await
}

pub async fn update_stage(id: Uuid, patch: &StagePatch) -> ApiResult<Stage> {
    call(Method::Patch, &format!("/stages/{id}"), Some(patch)).await
}

pub async fn delete_stage(id: Uuid) -> ApiResult<()> {
    call_empty(Method::Delete, &format!("/stages/{id}")).await
}

pub async fn reorder_stages(pipeline_id: Uuid, input: &ReorderStages) -> ApiResult<Pipeline> {
    call(Method::Post, &format!("/pipelines/{pipeline_id}/stages/reorder"), Some(input)).await
}

pub async fn lost_reasons() -> ApiResult<Vec<String>> {
    call(Method::Get, "/lost-reasons", None::<&()>).await
}

pub async fn deals(query: &DealQuery) -> ApiResult<Page<Deal>> {
    let qs = serde_urlencoded::to_string(query).unwrap_or_default();
    call(Method::Get, &format!("/deals?{qs}"), None::<&()>).await
}

pub async fn deal(id: Uuid) -> ApiResult<DealDetail> {
    call(Method::Get, &format!("/deals/{id}"), None::<&()>).await
}

pub async fn create_deal(input: &NewDeal) -> ApiResult<DealDetail> {
    call(Method::Post, "/deals", Some(input)).await
}

pub async fn move_deal(id: Uuid, input: &MoveDeal) -> ApiResult<Deal> {
    call(Method::Post, &format!("/deals/{id}/move"), Some(input)).await
}

pub async fn reminders(query: &ReminderQuery) -> ApiResult<Page<Reminder>> {
    let qs = serde_urlencoded::to_string(query).unwrap_or_default();
    call(Method::Get, &format!("/reminders?{qs}"), None::<&()>).await
}

pub async fn create_reminder(input: &NewReminder) -> ApiResult<Reminder> {
    call(Method::Post, "/reminders", Some(input)).await
}

pub async fn update_reminder(id: Uuid, patch: &ReminderPatch) -> ApiResult<Reminder> {
    call(Method::Patch, &format!("/reminders/{id}"), Some(patch)).await
}

pub async fn reminder_counts() -> ApiResult<ReminderCounts> {
    call(Method::Get, "/reminders/counts", None::<&()>).await
}

pub async fn notifications() -> ApiResult<Page<Notification>> {
    call(Method::Get, "/notifications?limit=20", None::<&()>).await
}

pub async fn read_all_notifications() -> ApiResult<()> {
    call_empty(Method::Post, "/notifications/read-all").await
}

pub async fn playbooks() -> ApiResult<Vec<Playbook>> {
    call(Method::Get, "/playbooks", None::<&()>).await
}

pub async fn create_playbook(input: &NewPlaybook) -> ApiResult<Playbook> {
    call(Method::Post, "/playbooks", Some(input)).await
}

pub async fn update_playbook(id: Uuid, patch: &PlaybookPatch) -> ApiResult<Playbook> {
    call(Method::Patch, &format!("/playbooks/{id}"), Some(patch)).await
}

pub async fn delete_playbook(id: Uuid) -> ApiResult<()> {
    call_empty(Method::Delete, &format!("/playbooks/{id}")).await
}

pub async fn playbook_runs(customer_id: Uuid) -> ApiResult<Vec<PlaybookRun>> {
    call(Method::Get, &format!("/customers/{customer_id}/playbooks"), None::<&()>).await
}

pub async fn apply_playbook(customer_id: Uuid, input: &ApplyPlaybook) -> ApiResult<PlaybookRun> {
    call(Method::Post, &format!("/customers/{customer_id}/playbooks"), Some(input)).await
}

pub async fn stop_playbook_run(id: Uuid) -> ApiResult<PlaybookRun> {
    call(Method::Post, &format!("/playbook-runs/{id}/stop"), None::<&()>).await
}

pub async fn calendar_feed_status() -> ApiResult<CalendarFeedStatus> {
    call(Method::Get, "/me/calendar", None::<&()>).await
}

pub async fn create_calendar_feed() -> ApiResult<CalendarFeed> {
    call(Method::Post, "/me/calendar", None::<&()>).await
}

pub async fn revoke_calendar_feed() -> ApiResult<()> {
    call_empty(Method::Delete, "/me/calendar").await
}

pub async fn users() -> ApiResult<Vec<User>> {
    call(Method::Get, "/users", None::<&()>).await
}

pub async fn create_user(input: &NewUserRequest) -> ApiResult<UserCreated> {
    call(Method::Post, "/users", Some(input)).await
}

pub async fn update_user(id: Uuid, patch: &UserPatch) -> ApiResult<User> {
    call(Method::Patch, &format!("/users/{id}"), Some(patch)).await
}

pub async fn deactivate_user(id: Uuid, input: &Deactivate) -> ApiResult<Moved> {
    call(Method::Post, &format!("/users/{id}/deactivate"), Some(input)).await
}

pub async fn team_dashboard() -> ApiResult<TeamDashboard> {
    call(Method::Get, "/team/dashboard", None::<&()>).await
}

pub async fn reassign(input: &Reassign) -> ApiResult<Moved> {
    call(Method::Post, "/customers/reassign", Some(input)).await
}

pub async fn teams() -> ApiResult<Vec<Team>> {
    call(Method::Get, "/teams", None::<&()>).await
}

pub async fn create_team(input: &TeamInput) -> ApiResult<Team> {
    call(Method::Post, "/teams", Some(input)).await
}

pub async fn accept_invite(input: &AcceptInvite) -> ApiResult<LoginResponse> {
    call(Method::Post, "/auth/accept-invite", Some(input)).await
}

pub async fn api_keys() -> ApiResult<Vec<ApiKey>> {
    call(Method::Get, "/api-keys", None::<&()>).await
}

pub async fn create_api_key(input: &NewApiKey) -> ApiResult<ApiKeyCreated> {
    call(Method::Post, "/api-keys", Some(input)).await
}

pub async fn revoke_api_key(id: Uuid) -> ApiResult<()> {
    call_empty(Method::Delete, &format!("/api-keys/{id}")).await
}

pub async fn delete_activity(id: Uuid) -> ApiResult<()> {
    call_empty(Method::Delete, &format!("/activities/{id}")).await
}

async fn call<B: Serialize, T: DeserializeOwned>(method: Method, path: &str, body: Option<&B>) -> ApiResult<T> {
    let text = send_with_refresh(method, path, body.and_then(encode), None).await?;
    decode(&text)
}

/// Parses JSON into a `Value` first, then reads the type from it. Every type
/// shares the one text parser instead of carrying its own copy of it, which
/// keeps the browser's download smaller (README, Benchmarks).
pub(crate) fn decode<T: DeserializeOwned>(text: &str) -> ApiResult<T> {
    serde_json::from_str::<serde_json::Value>(text).and_then(serde_json::from_value).map_err(|_| ApiError::Network)
}

/// Writes a request body through a `Value`, for the same reason as [`decode`].
pub(crate) fn encode<B: Serialize + ?Sized>(body: &B) -> Option<String> {
    serde_json::to_value(body).ok().map(|v| v.to_string())
}

async fn call_empty(method: Method, path: &str) -> ApiResult<()> {
    send_with_refresh(method, path, None, None).await.map(|_| ())
}

/// Sends; on a 401 tries one silent refresh of the session and sends again.
async fn send_with_refresh(method: Method, path: &str, body: Option<String>, key: Option<&str>) -> ApiResult<String> {
    match send(method, path, body.clone(), key).await {
        Err(e) if e.is_unauthenticated() && !path.starts_with("/auth/") => {
            if let Err(refused) = refresh_once().await {
                if refused.is_unauthenticated() {
                    announce_signed_out();
                }
                return Err(refused);
            }
            send(method, path, body, key).await
        }
        other => other,
    }
}

thread_local! {
    /// The refresh in flight, shared by every request that found its access
    /// token expired: a refresh token works once, so a second concurrent
    /// refresh with the same cookie would look like a stolen token to the
    /// server and end every session.
    static REFRESHING: std::cell::RefCell<Option<Shared<LocalBoxFuture<'static, ApiResult<()>>>>> =
        const { std::cell::RefCell::new(None) };
}

/// Refreshes the session once however many requests ask at the same time.
async fn refresh_once() -> ApiResult<()> {
    let refresh = REFRESHING.with(|slot| {
        let mut slot = slot.borrow_mut();
        if let Some(running) = slot.as_ref() {
            return running.clone();
        }
        let running = async {
            let result = send(Method::Post, "/auth/refresh", None, None).await.map(|_| ());
            REFRESHING.with(|slot| *slot.borrow_mut() = None);
            result
        }
        .boxed_local()
        .shared();
        *slot = Some(running.clone());
        running
    });
    refresh.await
}

/// The browser event that tells the app its session is gone (deactivated,
/// signed out elsewhere, expired): the session listens and goes to sign-in.
pub const SIGNED_OUT_EVENT: &str = "rapport-signed-out";

fn announce_signed_out() {
    #[cfg(feature = "hydrate")]
    if let (Some(window), Ok(event)) = (web_sys::window(), web_sys::Event::new(SIGNED_OUT_EVENT)) {
        let _ = window.dispatch_event(&event);
    }
}

#[cfg(feature = "hydrate")]
async fn send(method: Method, path: &str, body: Option<String>, key: Option<&str>) -> ApiResult<String> {
    use gloo_net::http::Request;
    let url = format!("/api/v1{path}");
    let builder = match method {
        Method::Get => Request::get(&url),
        Method::Post => Request::post(&url),
        Method::Patch => Request::patch(&url),
        Method::Delete => Request::delete(&url),
    }
    .credentials(web_sys::RequestCredentials::SameOrigin)
    .header("Accept", "application/json");
    let builder = match csrf_token() {
        Some(token) if method != Method::Get => builder.header("X-CSRF-Token", &token),
        _ => builder,
    };
    let builder = match key {
        Some(key) => builder.header("Idempotency-Key", key),
        None => builder,
    };
    let request = match body {
        Some(json) => builder.header("Content-Type", "application/json").body(json),
        None => builder.build(),
    }
    .map_err(|_| ApiError::Network)?;
    let response = request.send().await.map_err(|_| ApiError::Network)?;
    let status = response.status();
    let text = response.text().await.map_err(|_| ApiError::Network)?;
    if (200..300).contains(&status) {
        return Ok(text);
    }
    match decode::<rapport_shared::ApiErrorBody>(&text) {
        Ok(parsed) => Err(ApiError::Api { status, body: parsed.error }),
        // A proxy's HTML error page or similar: treat as unreachable.
        Err(_) => Err(ApiError::Network),
    }
}

#[cfg(not(feature = "hydrate"))]
async fn send(_method: Method, _path: &str, _body: Option<String>, _key: Option<&str>) -> ApiResult<String> {
    // Server rendering shows skeletons; data is fetched by the browser.
    Err(ApiError::Network)
}

/// The CSRF cookie's value, echoed on writes (double-submit).
#[cfg(feature = "hydrate")]
fn csrf_token() -> Option<String> {
    use wasm_bindgen::JsCast;
    let doc = web_sys::window()?.document()?.dyn_into::<web_sys::HtmlDocument>().ok()?;
    let cookies = doc.cookie().ok()?;
    cookies.split(';').find_map(|c| c.trim().strip_prefix("rapport_csrf=").map(str::to_owned))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)]
    use super::*;

    #[test]
    fn a_body_written_by_encode_is_read_back_by_decode() {
        let input = NewContact { name: "Li Wei".into(), phone: Some("+86 138 0000 0000".into()), ..Default::default() };
        let text = encode(&input).expect("encodes");
        let back: serde_json::Value = decode(&text).expect("decodes");
        assert_eq!(back["name"], "Li Wei");
        assert_eq!(back["phone"], "+86 138 0000 0000");
    }

    #[test]
    fn text_that_is_not_the_expected_json_is_a_network_error() {
        assert!(matches!(decode::<Page<Contact>>("<html>502 Bad Gateway</html>"), Err(ApiError::Network)));
        assert!(matches!(decode::<Page<Contact>>(r#"{"items": 3}"#), Err(ApiError::Network)));
        assert_eq!(decode::<Vec<u32>>("[1, 2, 3]"), Ok(vec![1, 2, 3]));
        let error = r#"{"error": {"code": "validation_failed", "message": "Please correct the marked fields.", "fields": {"name": "Required."}}}"#;
        let body = decode::<rapport_shared::ApiErrorBody>(error).expect("an error body");
        assert_eq!(body.error.code, ErrorCode::ValidationFailed);
        assert_eq!(body.error.fields.get("name").map(String::as_str), Some("Required."));
    }
}
