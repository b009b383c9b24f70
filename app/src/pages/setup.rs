//! First run: create the organisation and its first admin.

use crate::api::{self, ApiError};
use crate::components::field::TextField;
use crate::i18n::{Msg, field_error, tr, use_i18n};
use crate::session::{SessionState, use_session};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use rapport_shared::auth::SetupRequest;
use rapport_shared::validate::FieldErrors;

#[component]
pub fn Setup() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    let org_name = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::default());
    let form_error = RwSignal::new(None::<Msg>);
    let busy = RwSignal::new(false);

    Effect::new(move |_| match session.state.get() {
        SessionState::SignedIn(_) => navigate("/", Default::default()),
        SessionState::SignedOut => form_error.set(Some(Msg::AlreadySetUp)),
        _ => {}
    });

    let err = move |field: &'static str| Signal::derive(move || errors.with(|e| e.get(field).map(field_error)));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let req = SetupRequest {
            org_name: org_name.get_untracked(),
            name: name.get_untracked(),
            email: email.get_untracked(),
            password: password.get_untracked(),
            time_zone: browser_time_zone(),
            language: Some(i18n.language_untracked()),
        };
        // The same rules the server applies, for instant feedback.
        if let Err(e) = req.validate() {
            errors.set(e);
            form_error.set(Some(Msg::FixFields));
            return;
        }
        errors.set(FieldErrors::default());
        form_error.set(None);
        busy.set(true);
        leptos::task::spawn_local(async move {
            let sent = in_browser_zone(|time_zone| {
                let req = SetupRequest { time_zone, ..req.clone() };
                async move { api::setup(&req).await }
            });
            match sent.await {
                Ok(res) => session.signed_in(res.user),
                Err(e) => {
                    form_error.set(Some(match &e {
                        ApiError::Network => Msg::Offline,
                        _ if e.code() == Some(rapport_shared::ErrorCode::Conflict) => Msg::AlreadySetUp,
                        _ => Msg::SomethingWrong,
                    }));
                    busy.set(false);
                }
            }
        });
    };

    view! {
        <main class="auth-page">
            <form class="card auth-card" on:submit=submit novalidate>
                <h1>{tr(Msg::SetupTitle)}</h1>
                <p class="muted">{tr(Msg::SetupIntro)}</p>
                <TextField label=Msg::OrgName value=org_name name="org_name" autocomplete="organization" error=err("org_name") required=true/>
                <TextField label=Msg::YourName value=name name="name" autocomplete="name" error=err("name") required=true/>
                <TextField label=Msg::Email value=email kind="email" name="email" autocomplete="username" error=err("email") required=true/>
                <TextField label=Msg::Password value=password kind="password" name="password" autocomplete="new-password" error=err("password") required=true/>
                <p class="form-error" role="alert">{move || form_error.get().map(|m| i18n.t(m))}</p>
                <button class="btn primary block" type="submit" disabled=move || busy.get()>
                    {move || if busy.get() { i18n.t(Msg::Saving) } else { i18n.t(Msg::CreateOrg) }}
                </button>
            </form>
        </main>
    }
}

/// Sends a request that starts someone in the browser's time zone. Where
/// the server does not know that zone (a newer or an odd name), it is sent
/// again without one, starting them in UTC (changeable in settings), rather
/// than refusing the person for a field they never saw.
pub async fn in_browser_zone<T, Fut>(send: impl Fn(Option<String>) -> Fut) -> api::ApiResult<T>
where
    Fut: std::future::Future<Output = api::ApiResult<T>>,
{
    let zone = browser_time_zone();
    match send(zone.clone()).await {
        Err(e) if zone.is_some() && e.fields().contains_key("time_zone") => send(None).await,
        sent => sent,
    }
}

/// The browser's IANA time zone, e.g. `Asia/Shanghai`, where it has the
/// shape of one.
pub fn browser_time_zone() -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        let options =
            js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new()).resolved_options();
        js_sys::Reflect::get(&options, &"timeZone".into())
            .ok()
            .and_then(|v| v.as_string())
            .filter(|z| rapport_shared::auth::time_zone(z).is_ok())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        None
    }
}
