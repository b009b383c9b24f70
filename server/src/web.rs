//! The web app: Leptos server rendering for every non-API path, and the
//! built assets (`/pkg/*`). Pages render a shell with skeletons; the browser
//! fetches data from `/api/v1` after hydration (one path to the data).

use crate::config::Config;
use axum::Router;
use axum::http::request::Parts;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use rapport_app::i18n::InitialLanguage;
use rapport_app::{App, shell};
use rapport_shared::auth::Language;
use std::sync::Arc;

/// # Errors
/// When the Leptos configuration cannot be read.
pub fn router(config: &Config) -> anyhow::Result<Router> {
    let mut options = get_configuration(None)?.leptos_options;
    options.site_root = Arc::from(config.site_root().to_string_lossy().as_ref());
    options.site_addr = config.serve.addr;
    let routes = generate_route_list(App);
    let shell_options = options.clone();
    Ok(Router::new()
        .leptos_routes_with_context(&options, routes, provide_language, move || shell(shell_options.clone()))
        .fallback(leptos_axum::file_and_error_handler(shell))
        .with_state(options))
}

/// The language to render in: the `rapport_lang` cookie the app sets when a
/// user picks one, else the browser's `Accept-Language`, else English.
fn provide_language() {
    let parts = use_context::<Parts>();
    let language = parts.as_ref().map_or(Language::En, |p| detect_language(&p.headers));
    provide_context(InitialLanguage(language));
}

fn detect_language(headers: &axum::http::HeaderMap) -> Language {
    let jar = axum_extra::extract::CookieJar::from_headers(headers);
    if let Some(lang) = jar.get(rapport_app::i18n::LANG_COOKIE).and_then(|c| Language::from_tag(c.value())) {
        return lang;
    }
    headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').find_map(|tag| Language::from_tag(tag.split(';').next().unwrap_or_default())))
        .unwrap_or_default()
}
