//! The user's API keys for integrations: create one (its secret is shown
//! once), see when each was last used, revoke.

use crate::api::{self, ApiError};
use crate::browser;
use crate::format;
use crate::i18n::{Msg, key_scope_msg, tr, use_i18n};
use crate::load::Load;
use leptos::prelude::*;
use rapport_shared::team::{KeyScope, NewApiKey};

#[component]
pub fn ApiKeysSettings() -> impl IntoView {
    let i18n = use_i18n();
    let keys = Load::new(api::api_keys);
    let name = RwSignal::new(String::new());
    let scope = RwSignal::new("read".to_string());
    let secret = RwSignal::new(None::<String>);
    let message = RwSignal::new(None::<Msg>);
    let fail =
        move |e: ApiError| message.set(Some(if e == ApiError::Network { Msg::Offline } else { Msg::SomethingWrong }));
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if name.get_untracked().trim().is_empty() {
            message.set(Some(Msg::ErrRequired));
            return;
        }
        let input = NewApiKey {
            name: name.get_untracked(),
            scope: KeyScope::parse(&scope.get_untracked()).unwrap_or(KeyScope::Read),
        };
        leptos::task::spawn_local(async move {
            match api::create_api_key(&input).await {
                Ok(created) => {
                    secret.set(Some(created.secret));
                    name.set(String::new());
                    message.set(None);
                    keys.refetch();
                }
                Err(e) => fail(e),
            }
        });
    };
    let revoke = move |id| {
        if !browser::confirm(i18n.t(Msg::ConfirmRevokeKey)) {
            return;
        }
        leptos::task::spawn_local(async move {
            match api::revoke_api_key(id).await {
                Ok(()) => keys.refetch(),
                Err(e) => fail(e),
            }
        });
    };
    view! {
        <section class="card api-keys">
            <h2>{tr(Msg::ApiKeys)}</h2>
            <p class="muted small-print">{tr(Msg::ApiKeysHint)}</p>
            {move || secret.get().map(|s| view! {
                <label class="field"><span>{tr(Msg::KeySecretOnce)}</span><input class="input" readonly prop:value=s/></label>
            })}
            <p class="form-error" role="alert">{move || message.get().map(|m| i18n.t(m))}</p>
            {move || match keys.get() {
                None => view! { <p class="muted">{tr(Msg::Loading)}</p> }.into_any(),
                Some(Err(_)) => view! { <p class="form-error">{tr(Msg::SomethingWrong)}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p class="muted">{tr(Msg::NoApiKeys)}</p> }.into_any(),
                Some(Ok(list)) => {
                    view! {
                        <ul class="contact-list">
                            {list.into_iter().map(|k| {
                                let used = k.last_used_at.map_or_else(
                                    || i18n.t(Msg::NeverUsed).to_owned(),
                                    |t| format::date_time(t, i18n.language_untracked()),
                                );
                                let id = k.id;
                                view! {
                                    <li class="contact">
                                        <div>
                                            <strong>{k.name}</strong>" "<code>{k.prefix}"…"</code>" "
                                            <span class="badge">{tr(key_scope_msg(k.scope))}</span>
                                            <div class="muted">{tr(Msg::LastUsed)}": "{used}</div>
                                        </div>
                                        <button class="btn small danger" type="button" on:click=move |_| revoke(id)>{tr(Msg::Revoke)}</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
            <form class="inline-form" on:submit=create novalidate>
                <input class="input" aria-label=tr(Msg::KeyName) placeholder=move || i18n.t(Msg::KeyName) bind:value=name/>
                <select class="input" aria-label=tr(Msg::KeyScopeLabel) prop:value=move || scope.get() on:change=move |ev| scope.set(event_target_value(&ev))>
                    <option value="read">{tr(Msg::ScopeRead)}</option>
                    <option value="write">{tr(Msg::ScopeWrite)}</option>
                </select>
                <button class="btn" type="submit">{tr(Msg::CreateKey)}</button>
            </form>
        </section>
    }
}
