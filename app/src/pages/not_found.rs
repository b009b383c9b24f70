//! The page for unknown paths.

use crate::i18n::{Msg, tr};
use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <main class="auth-page">
            <div class="card auth-card">
                <h1>{tr(Msg::NotFound)}</h1>
                <p class="muted">{tr(Msg::NotFoundHint)}</p>
                <a class="btn" href="/">{tr(Msg::Dashboard)}</a>
            </div>
        </main>
    }
}
