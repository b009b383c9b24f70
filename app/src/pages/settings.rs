//! The user's own settings: name, language, time zone, password, the
//! calendar feed; sign out. Admins also edit the sales stages and playbooks here.

use crate::api;
use crate::components::field::{SelectField, TextField};
use crate::i18n::{Msg, field_error, remember_language, role_msg, tr, use_i18n};
use crate::load::Load;
use crate::pages::api_keys_settings::ApiKeysSettings;
use crate::pages::people_settings::PeopleSettings;
use crate::pages::pipeline_settings::PipelineSettings;
use crate::pages::playbook_settings::PlaybookSettings;
use crate::pages::pool_settings::PoolSettings;
use crate::session::{SessionState, use_session};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use rapport_shared::ErrorCode;
use rapport_shared::auth::{ChangePassword, Language, Role, UpdateMe, time_zone};
use rapport_shared::validate::{FieldError, FieldErrors, required_text};

#[component]
pub fn Settings() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    let user = session.user_untracked();
    let name = RwSignal::new(user.as_ref().map(|u| u.name.clone()).unwrap_or_default());
    let tz = RwSignal::new(user.as_ref().map(|u| u.time_zone.clone()).unwrap_or_else(|| "UTC".into()));
    let lang = RwSignal::new(user.as_ref().map_or(i18n.language_untracked(), |u| u.language).tag().to_string());
    let errors = RwSignal::new(FieldErrors::default());
    let status = RwSignal::new(None::<Msg>);
    let err = move |f: &'static str| Signal::derive(move || errors.with(|e| e.get(f).map(field_error)));
    Effect::new(|_| crate::browser::offer_time_zones("time-zones"));

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut e = FieldErrors::default();
        e.check("name", required_text(&name.get_untracked(), 200));
        e.check("time_zone", time_zone(&tz.get_untracked()));
        if !e.is_empty() {
            errors.set(e);
            return;
        }
        errors.set(FieldErrors::default());
        let patch = UpdateMe {
            name: Some(name.get_untracked()),
            time_zone: Some(tz.get_untracked()),
            language: Language::from_tag(&lang.get_untracked()),
        };
        leptos::task::spawn_local(async move {
            match api::update_me(&patch).await {
                Ok(user) => {
                    remember_language(user.language);
                    session.signed_in(user);
                    status.set(Some(Msg::Saved));
                }
                Err(api::ApiError::Network) => status.set(Some(Msg::Offline)),
                Err(_) => status.set(Some(Msg::SomethingWrong)),
            }
        });
    };
    let sign_out = move |_| {
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let _ = api::logout().await;
            session.state.set(SessionState::SignedOut);
            navigate("/login", Default::default());
        });
    };
    let is_admin = user.as_ref().is_some_and(|u| u.role == Role::Admin);
    let supervises = user.as_ref().is_some_and(|u| u.role != Role::Rep);
    let role = user.as_ref().map(|u| tr(role_msg(u.role)));
    let email = user.as_ref().map(|u| u.email.clone()).unwrap_or_default();
    view! {
        <div class="page-head"><h1>{tr(Msg::Settings)}</h1></div>
        <form class="card form" on:submit=save novalidate>
            <h2>{tr(Msg::Profile)}</h2>
            <p class="muted">{email}" · "{tr(Msg::Role)}": "{role}</p>
            <TextField label=Msg::YourName value=name name="name" error=err("name") required=true/>
            <SelectField label=Msg::Language value=lang name="language" options=vec![("en", Msg::LangEn), ("zh-CN", Msg::LangZh)]/>
            <TextField label=Msg::TimeZone value=tz name="time_zone" error=err("time_zone") hint=Msg::TimeZoneHint list="time-zones"/>
            <datalist id="time-zones"></datalist>
            <p class="form-status" role="status">{move || status.get().map(|m| i18n.t(m))}</p>
            <div class="actions">
                <button class="btn primary" type="submit">{tr(Msg::Save)}</button>
            </div>
        </form>
        <PasswordSettings/>
        <CalendarFeedSettings/>
        <ApiKeysSettings/>
        {supervises.then(|| view! { <PeopleSettings/> })}
        {is_admin.then(|| view! { <PipelineSettings/> <PlaybookSettings/> <PoolSettings/> })}
        <div class="card">
            <button class="btn danger" on:click=sign_out>{tr(Msg::SignOut)}</button>
        </div>
    }
}

/// Changing one's password: every other device is signed out, this one
/// continues in the new session the answer brings.
#[component]
fn PasswordSettings() -> impl IntoView {
    let i18n = use_i18n();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::default());
    let wrong_current = RwSignal::new(false);
    let status = RwSignal::new(None::<Msg>);
    let current_error = Signal::derive(move || {
        if wrong_current.get() {
            Some(Msg::WrongCurrentPassword)
        } else {
            errors.with(|e| e.get("current_password").map(field_error))
        }
    });
    let new_error = Signal::derive(move || errors.with(|e| e.get("new_password").map(field_error)));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let change = ChangePassword { current_password: current.get_untracked(), new_password: new.get_untracked() };
        wrong_current.set(false);
        status.set(None);
        if let Err(e) = change.validate() {
            errors.set(e);
            return;
        }
        errors.set(FieldErrors::default());
        leptos::task::spawn_local(async move {
            match api::change_password(&change).await {
                // The same user: the answer's cookies are the new session, nothing else changes.
                Ok(_) => {
                    current.set(String::new());
                    new.set(String::new());
                    status.set(Some(Msg::PasswordChanged));
                }
                Err(api::ApiError::Network) => status.set(Some(Msg::Offline)),
                Err(e) if e.code() == Some(ErrorCode::RateLimited) => status.set(Some(Msg::TooManyAttempts)),
                Err(e) if e.fields().contains_key("current_password") => wrong_current.set(true),
                Err(e) if e.fields().contains_key("new_password") => {
                    let mut fields = FieldErrors::default();
                    fields.add("new_password", FieldError::UnknownValue);
                    errors.set(fields);
                }
                Err(_) => status.set(Some(Msg::SomethingWrong)),
            }
        });
    };
    view! {
        <form class="card form" on:submit=submit novalidate>
            <h2>{tr(Msg::ChangePassword)}</h2>
            <p class="muted small-print">{tr(Msg::ChangePasswordHint)}</p>
            <TextField label=Msg::CurrentPassword value=current kind="password" name="current_password"
                autocomplete="current-password" error=current_error required=true/>
            <TextField label=Msg::NewPassword value=new kind="password" name="new_password"
                autocomplete="new-password" error=new_error hint=Msg::NewPasswordHint required=true/>
            <p class="form-status" role="status">{move || status.get().map(|m| i18n.t(m))}</p>
            <div class="actions">
                <button class="btn primary" type="submit">{tr(Msg::ChangePassword)}</button>
            </div>
        </form>
    }
}

/// The calendar feed: a secret address a phone's calendar subscribes to.
/// The address is shown once, when made; a new one revokes the old. The
/// page says whether one is in use, so a person knows what "stop" stops.
#[component]
fn CalendarFeedSettings() -> impl IntoView {
    let i18n = use_i18n();
    // Asked again after each make or stop, so the page says what the server has.
    let feed_state = Load::new(api::calendar_feed_status);
    let known = move || feed_state.get().and_then(Result::ok);
    let in_use = move || known().and_then(|f| f.created_at);
    let url = RwSignal::new(None::<String>);
    let status = RwSignal::new(None::<Msg>);
    let fail = move |e: api::ApiError| {
        status.set(Some(if e == api::ApiError::Network { Msg::Offline } else { Msg::SomethingWrong }))
    };
    let create = move |_| {
        leptos::task::spawn_local(async move {
            match api::create_calendar_feed().await {
                Ok(feed) => {
                    let origin = web_origin();
                    url.set(Some(format!("{origin}{}", feed.path)));
                    feed_state.refetch();
                    status.set(None);
                }
                Err(e) => fail(e),
            }
        });
    };
    let revoke = move |_| {
        leptos::task::spawn_local(async move {
            match api::revoke_calendar_feed().await {
                Ok(()) => {
                    url.set(None);
                    feed_state.refetch();
                    status.set(Some(Msg::CalendarRevoked));
                }
                Err(e) => fail(e),
            }
        });
    };
    view! {
        <section class="card">
            <h2>{tr(Msg::CalendarFeed)}</h2>
            <p class="muted small-print">{tr(Msg::CalendarFeedHint)}</p>
            <p>{move || match in_use() {
                Some(at) => format!("{} {}.", i18n.t(Msg::CalendarInUseSince), crate::format::date_time(at, i18n.language())),
                // Said only once known: not while loading, nor when the question failed.
                None if known().is_some() => i18n.t(Msg::CalendarNone).to_string(),
                None => String::new(),
            }}</p>
            {move || url.get().map(|u| view! {
                <input class="input calendar-url" readonly aria-label=tr(Msg::CalendarFeed) prop:value=u
                    on:focus=|ev| select_all(&ev)/>
            })}
            <p class="form-status" role="status">{move || status.get().map(|m| i18n.t(m))}</p>
            <div class="actions">
                <button class="btn" type="button" on:click=create>{tr(Msg::CreateCalendarLink)}</button>
                <Show when=move || in_use().is_some()>
                    <button class="btn danger" type="button" on:click=revoke>{tr(Msg::RevokeCalendarLink)}</button>
                </Show>
            </div>
        </section>
    }
}

/// `https://host:port` of the page, for addresses given to other apps.
pub fn web_origin() -> String {
    #[cfg(feature = "hydrate")]
    {
        if let Some(origin) = web_sys::window().and_then(|w| w.location().origin().ok()) {
            return origin;
        }
    }
    String::new()
}

/// Selects a read-only field's text so it can be copied at once.
fn select_all(ev: &leptos::ev::FocusEvent) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
            input.select();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ev;
}
