//! Sign-in.

use crate::api::{self, ApiError};
use crate::components::field::TextField;
use crate::i18n::{Msg, tr, use_i18n};
use crate::session::{SessionState, use_session};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use rapport_shared::ErrorCode;
use rapport_shared::auth::LoginRequest;

#[component]
pub fn Login() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    let query = use_query_map();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Msg>);
    let busy = RwSignal::new(false);

    let next = move || query.get_untracked().get("next").filter(|n| is_return_path(n)).unwrap_or_else(|| "/".into());
    {
        let navigate = navigate.clone();
        Effect::new(move |_| match session.state.get() {
            SessionState::SignedIn(_) => navigate(&next(), Default::default()),
            SessionState::NeedsSetup => navigate("/setup", Default::default()),
            _ => {}
        });
    }

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let req = LoginRequest { email: email.get_untracked(), password: password.get_untracked() };
        leptos::task::spawn_local(async move {
            match api::login(&req).await {
                Ok(res) => session.signed_in(res.user),
                Err(e) => {
                    error.set(Some(match &e {
                        ApiError::Network => Msg::Offline,
                        _ if e.code() == Some(ErrorCode::RateLimited) => Msg::TooManyAttempts,
                        _ if e.is_unauthenticated() => Msg::WrongCredentials,
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
                <h1>{tr(Msg::AppName)}</h1>
                <TextField label=Msg::Email value=email kind="email" name="email" autocomplete="username" required=true/>
                <TextField label=Msg::Password value=password kind="password" name="password" autocomplete="current-password" required=true/>
                <p class="form-error" role="alert">{move || error.get().map(|m| i18n.t(m))}</p>
                <button class="btn primary block" type="submit" disabled=move || busy.get()>
                    {move || if busy.get() { i18n.t(Msg::Loading) } else { i18n.t(Msg::SignIn) }}
                </button>
            </form>
        </main>
    }
}

/// A page to return to after sign-in: local (never another site) and not
/// one of the signed-out pages.
fn is_return_path(path: &str) -> bool {
    path.starts_with('/') && !path.starts_with("//") && !path.starts_with("/login") && !path.starts_with("/setup")
}
