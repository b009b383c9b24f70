//! Who is signed in, as a signal the whole app reads. Checked in the
//! browser after hydration (`GET /me`, with one silent refresh).

use crate::api;
use crate::i18n::{I18n, remember_language, use_i18n};
use leptos::prelude::*;
use rapport_shared::auth::User;

#[derive(Debug, Clone, PartialEq)]
pub enum SessionState {
    /// Not known yet (server rendering, or the first check is running).
    Checking,
    SignedIn(User),
    SignedOut,
    /// No organisation exists: the first-run page comes first.
    NeedsSetup,
    /// The server could not be reached.
    Unreachable,
}

/// The session signal, with the language it switches on sign-in.
#[derive(Debug, Clone, Copy)]
pub struct Session {
    pub state: RwSignal<SessionState>,
    i18n: I18n,
}

impl Session {
    pub fn user(self) -> Option<User> {
        match self.state.get() {
            SessionState::SignedIn(user) => Some(user),
            _ => None,
        }
    }

    /// The signed-in user, read once (no re-render on change).
    pub fn user_untracked(self) -> Option<User> {
        match self.state.get_untracked() {
            SessionState::SignedIn(user) => Some(user),
            _ => None,
        }
    }

    /// Marks the user signed in and switches to their language and time zone.
    pub fn signed_in(self, user: User) {
        crate::format::set_time_zone(&user.time_zone);
        self.i18n.0.set(user.language);
        remember_language(user.language);
        self.state.set(SessionState::SignedIn(user));
    }

    /// Runs the check again (after a failure or sign-out).
    pub fn recheck(self) {
        self.state.set(SessionState::Checking);
        leptos::task::spawn_local(async move {
            match check().await {
                SessionState::SignedIn(user) => self.signed_in(user),
                other => self.state.set(other),
            }
        });
    }
}

async fn check() -> SessionState {
    match api::me().await {
        Ok(user) => SessionState::SignedIn(user),
        Err(e) if e.is_unauthenticated() => match api::setup_status().await {
            Ok(status) if status.needs_setup => SessionState::NeedsSetup,
            Ok(_) => SessionState::SignedOut,
            Err(_) => SessionState::Unreachable,
        },
        Err(_) => SessionState::Unreachable,
    }
}

/// Provides the session and starts the first check once hydrated.
pub fn provide_session() -> Session {
    let session = Session { state: RwSignal::new(SessionState::Checking), i18n: use_i18n() };
    provide_context(session);
    // Effects run only in the browser, after hydration.
    Effect::new(move |_| session.recheck());
    // A request that finds the session gone (deactivated, signed out
    // elsewhere) ends it here too, and the shell sends the page to sign-in.
    let listener = window_event_listener_untyped(api::SIGNED_OUT_EVENT, move |_| {
        if matches!(session.state.get_untracked(), SessionState::SignedIn(_)) {
            session.state.set(SessionState::SignedOut);
        }
    });
    on_cleanup(move || listener.remove());
    session
}

pub fn use_session() -> Session {
    use_context::<Session>()
        .unwrap_or_else(|| Session { state: RwSignal::new(SessionState::Checking), i18n: use_i18n() })
}
