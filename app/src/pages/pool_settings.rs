//! Admin settings of the follow-up rules and the shared pool: when a customer
//! counts as not contacted, when it returns to the pool, how many customers a
//! rep may own and how many they may claim a day (an empty number: off).

use crate::api::{self, ApiError};
use crate::components::field::TextField;
use crate::components::states::{ErrorView, Skeleton};
use crate::i18n::{Msg, field_error, tr, use_i18n};
use leptos::prelude::*;
use rapport_shared::org_settings::{OrgSettings, OrgSettingsPatch};
use rapport_shared::validate::{FieldError, FieldErrors};

/// The pool settings card (admins).
#[component]
pub fn PoolSettings() -> impl IntoView {
    let data = RwSignal::new(None::<Result<OrgSettings, ApiError>>);
    let load = move || {
        leptos::task::spawn_local(async move { data.set(Some(api::org_settings().await)) });
    };
    Effect::new(move |_| load());
    view! {
        <section class="card">
            <h2>{tr(Msg::PoolSettings)}</h2>
            <p class="muted small-print">{tr(Msg::PoolSettingsHint)}</p>
            {move || match data.get() {
                None => view! { <Skeleton rows=4/> }.into_any(),
                Some(Err(e)) => view! { <ErrorView error=e retry=move |_| load()/> }.into_any(),
                Some(Ok(s)) => view! { <PoolSettingsForm current=s/> }.into_any(),
            }}
        </section>
    }
}

fn text(n: Option<u32>) -> String {
    n.map(|n| n.to_string()).unwrap_or_default()
}

/// An optional number: empty is `None`; anything else must be a whole number.
fn number(errors: &mut FieldErrors, field: &str, raw: &str) -> Option<u32> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    errors.check(field, raw.parse::<u32>().map_err(|_| FieldError::UnknownValue))
}

#[component]
fn PoolSettingsForm(current: OrgSettings) -> impl IntoView {
    let i18n = use_i18n();
    let current = RwSignal::new(current);
    let stale = RwSignal::new(current.get_untracked().stale_after_days.to_string());
    let pool_after = RwSignal::new(text(current.get_untracked().pool_after_days));
    let max_owned = RwSignal::new(text(current.get_untracked().max_owned_per_rep));
    let quota = RwSignal::new(text(current.get_untracked().daily_claim_quota));
    let errors = RwSignal::new(FieldErrors::default());
    let server_fields = RwSignal::new(Vec::<String>::new());
    let status = RwSignal::new(None::<Msg>);
    let busy = RwSignal::new(false);
    let err = move |field: &'static str| {
        Signal::derive(move || {
            errors
                .with(|e| e.get(field).map(field_error))
                .or_else(|| server_fields.with(|s| s.iter().any(|k| k == field)).then_some(Msg::ErrInvalid))
        })
    };

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let mut e = FieldErrors::default();
        let stale_days = number(&mut e, "stale_after_days", &stale.get_untracked());
        if stale_days.is_none() && e.get("stale_after_days").is_none() {
            e.add("stale_after_days", FieldError::Required);
        }
        let patch = OrgSettingsPatch {
            stale_after_days: stale_days,
            pool_after_days: Some(number(&mut e, "pool_after_days", &pool_after.get_untracked())),
            max_owned_per_rep: Some(number(&mut e, "max_owned_per_rep", &max_owned.get_untracked())),
            daily_claim_quota: Some(number(&mut e, "daily_claim_quota", &quota.get_untracked())),
        };
        if let Err(rules) = patch.apply(&current.get_untracked()) {
            for (field, error) in rules.0 {
                e.add(field, error);
            }
        }
        server_fields.set(Vec::new());
        if !e.is_empty() {
            errors.set(e);
            status.set(Some(Msg::FixFields));
            return;
        }
        errors.set(FieldErrors::default());
        status.set(None);
        busy.set(true);
        leptos::task::spawn_local(async move {
            match api::update_org_settings(&patch).await {
                Ok(saved) => {
                    current.set(saved);
                    status.set(Some(Msg::Saved));
                }
                Err(ApiError::Network) => status.set(Some(Msg::Offline)),
                Err(e) if !e.fields().is_empty() => {
                    server_fields.set(e.fields().into_keys().collect());
                    status.set(Some(Msg::FixFields));
                }
                Err(_) => status.set(Some(Msg::SomethingWrong)),
            }
            busy.set(false);
        });
    };

    view! {
        <form class="form" on:submit=save novalidate>
            <div class="grid-2">
                <TextField label=Msg::StaleAfterDays value=stale name="stale_after_days" kind="number" inputmode="numeric"
                    error=err("stale_after_days") required=true/>
                <TextField label=Msg::PoolAfterDays value=pool_after name="pool_after_days" kind="number" inputmode="numeric"
                    error=err("pool_after_days") hint=Msg::EmptyIsOff/>
            </div>
            <div class="grid-2">
                <TextField label=Msg::MaxOwnedPerRep value=max_owned name="max_owned_per_rep" kind="number" inputmode="numeric"
                    error=err("max_owned_per_rep") hint=Msg::EmptyIsOff/>
                <TextField label=Msg::DailyClaimQuota value=quota name="daily_claim_quota" kind="number" inputmode="numeric"
                    error=err("daily_claim_quota") hint=Msg::EmptyIsOff/>
            </div>
            <p class="form-status" role="status">{move || status.get().map(|m| i18n.t(m))}</p>
            <div class="actions">
                <button class="btn primary" type="submit" disabled=move || busy.get()>
                    {move || if busy.get() { i18n.t(Msg::Saving) } else { i18n.t(Msg::Save) }}
                </button>
            </div>
        </form>
    }
}
