//! Loading, empty and error states: designed, never a blank screen.

use crate::api::ApiError;
use crate::i18n::{Msg, tr};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

/// Where a paged list stands: first page loading, shown, or failed.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    Loading,
    Ready,
    Failed(ApiError),
}

/// Grey placeholder rows while data loads.
#[component]
pub fn Skeleton(#[prop(default = 3)] rows: usize) -> impl IntoView {
    view! {
        <div class="skeleton" aria-busy="true" aria-label=tr(Msg::Loading)>
            {(0..rows).map(|_| view! { <div class="skeleton-row"></div> }).collect_view()}
        </div>
    }
}

/// A friendly empty list with an optional call to action.
#[component]
pub fn Empty(title: Msg, hint: Msg, #[prop(optional)] children: Option<Children>) -> impl IntoView {
    view! {
        <div class="empty">
            <p class="empty-title">{tr(title)}</p>
            <p class="muted">{tr(hint)}</p>
            {children.map(|c| c())}
        </div>
    }
}

/// The message for a failed call; a lost session goes back to sign-in.
#[component]
pub fn ErrorView(error: ApiError, #[prop(optional, into)] retry: Option<Callback<()>>) -> impl IntoView {
    if error.is_unauthenticated() {
        let navigate = use_navigate();
        Effect::new(move |_| navigate("/login", Default::default()));
    }
    let msg = match &error {
        ApiError::Network => Msg::Offline,
        e if e.is_not_found() => Msg::NotFoundHint,
        e if e.is_forbidden() => Msg::ForbiddenHint,
        _ => Msg::SomethingWrong,
    };
    // Trying again cannot change a role.
    let retry = retry.filter(|_| !error.is_forbidden());
    view! {
        <div class="error-state" role="alert">
            <p>{tr(msg)}</p>
            {retry.map(|r| view! { <button class="btn" on:click=move |_| r.run(())>{tr(Msg::Retry)}</button> })}
        </div>
    }
}
