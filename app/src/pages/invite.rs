//! Accepting an invitation: the invited person chooses their password and
//! is signed in. The link works once.

use crate::api::{self, ApiError};
use crate::components::field::TextField;
use crate::i18n::{Msg, tr, use_i18n};
use crate::pages::setup::in_browser_zone;
use crate::session::use_session;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use rapport_shared::team::AcceptInvite;
use rapport_shared::validate::new_password;

#[component]
pub fn Invite() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    let params = use_params_map();
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Msg>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if new_password(&password.get_untracked()).is_err() {
            error.set(Some(Msg::ErrTooShort));
            return;
        }
        let input = AcceptInvite {
            token: params.get_untracked().get("token").unwrap_or_default(),
            password: password.get_untracked(),
            time_zone: None,
        };
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let sent = in_browser_zone(|time_zone| {
                let input = AcceptInvite { time_zone, ..input.clone() };
                async move { api::accept_invite(&input).await }
            });
            match sent.await {
                Ok(res) => {
                    session.signed_in(res.user);
                    navigate("/", Default::default());
                }
                Err(ApiError::Network) => error.set(Some(Msg::Offline)),
                Err(e) if e.fields().contains_key("password") => error.set(Some(Msg::ErrTooShort)),
                Err(_) => error.set(Some(Msg::InviteInvalid)),
            }
        });
    };
    view! {
        <main class="auth-page">
            <form class="card auth-card" on:submit=submit novalidate>
                <h1>{tr(Msg::AppName)}</h1>
                <p>{tr(Msg::InviteIntro)}</p>
                <TextField label=Msg::Password value=password kind="password" name="password" autocomplete="new-password" required=true/>
                <p class="form-error" role="alert">{move || error.get().map(|m| i18n.t(m))}</p>
                <button class="btn primary block" type="submit">{tr(Msg::SetPassword)}</button>
            </form>
        </main>
    }
}
