//! Create and edit a customer, with the shared validation rules running as
//! you submit and the server's answer mapped back onto the fields.

use super::pool::{DuplicateNotice, duplicate_of};
use crate::api::{self, ApiError};
use crate::components::field::{SelectField, TextField};
use crate::components::states::{ErrorView, Skeleton};
use crate::i18n::{Msg, field_error, source_msg, tr, use_i18n};
use crate::load::Load;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use rapport_shared::customer::{Customer, CustomerKind, CustomerPatch, LifecycleStatus, NewCustomer, SourceChannel};
use rapport_shared::validate::FieldErrors;
use std::collections::BTreeMap;
use uuid::Uuid;

/// `/customers/new`.
#[component]
pub fn CustomerNew() -> impl IntoView {
    view! {
        <div class="page-head"><h1>{tr(Msg::NewCustomer)}</h1></div>
        <CustomerForm existing=None/>
    }
}

/// `/customers/:id/edit`.
#[component]
pub fn CustomerEdit() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|s| Uuid::parse_str(&s).ok()));
    let data = Load::new(move || async move {
        match id() {
            Some(id) => api::customer(id).await,
            None => Err(ApiError::not_found()),
        }
    });
    view! {
        <div class="page-head"><h1>{tr(Msg::EditCustomer)}</h1></div>
        {move || match data.get() {
            None => view! { <Skeleton rows=6/> }.into_any(),
            Some(Err(e)) => view! { <ErrorView error=e/> }.into_any(),
            Some(Ok(c)) => view! { <CustomerForm existing=Some(c)/> }.into_any(),
        }}
    }
}

fn join(items: &[String]) -> String {
    items.join(", ")
}

fn split(text: &str) -> Vec<String> {
    text.split([',', '，', ';', '\n']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

fn opt(text: String) -> Option<String> {
    Some(text).filter(|t| !t.trim().is_empty())
}

/// The form itself; `existing` switches it from create to edit.
#[component]
pub fn CustomerForm(existing: Option<Customer>) -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let e = existing.as_ref();
    let text = |f: fn(&Customer) -> Option<String>| RwSignal::new(e.and_then(f).unwrap_or_default());
    let kind = RwSignal::new(e.map_or("company", |c| c.kind.as_str()).to_string());
    let name = text(|c| Some(c.name.clone()));
    let phones = text(|c| Some(join(&c.phones)));
    let emails = text(|c| Some(join(&c.emails)));
    let address = text(|c| c.address.clone());
    let industry = text(|c| c.industry.clone());
    let size = text(|c| c.size.clone());
    let region = text(|c| c.region.clone());
    let source = RwSignal::new(e.and_then(|c| c.source_channel).map(|s| s.as_str().to_string()).unwrap_or_default());
    let status = RwSignal::new(e.map_or("lead", |c| c.status.as_str()).to_string());
    let tags = text(|c| Some(join(&c.tags)));
    let existing_id = e.map(|c| c.id);
    let custom_fields = e.map(|c| serde_json::Value::Object(c.custom_fields.clone()));

    let errors = RwSignal::new(FieldErrors::default());
    let server_fields = RwSignal::new(BTreeMap::<String, String>::new());
    let form_error = RwSignal::new(None::<Msg>);
    // A 409 `duplicate_customer`: the customer exists; offer it instead.
    let duplicate = RwSignal::new(None::<rapport_shared::pool::DuplicateCustomer>);
    let busy = RwSignal::new(false);

    // `phones[2]` and `phones` both mark the Phones field.
    let err = move |field: &'static str| {
        Signal::derive(move || {
            let local = errors
                .with(|e| e.0.iter().find(|(k, _)| k.split('[').next() == Some(field)).map(|(_, v)| field_error(*v)));
            local.or_else(|| {
                server_fields.with(|s| s.keys().any(|k| k.split('[').next() == Some(field)).then_some(Msg::ErrInvalid))
            })
        })
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let input = NewCustomer {
            kind: CustomerKind::parse(&kind.get_untracked()).unwrap_or(CustomerKind::Company),
            name: name.get_untracked(),
            phones: split(&phones.get_untracked()),
            emails: split(&emails.get_untracked()),
            address: opt(address.get_untracked()),
            industry: opt(industry.get_untracked()),
            size: opt(size.get_untracked()),
            region: opt(region.get_untracked()),
            source_channel: SourceChannel::parse(&source.get_untracked()),
            status: LifecycleStatus::parse(&status.get_untracked()),
            tags: split(&tags.get_untracked()),
            custom_fields: custom_fields.clone(),
            owner_id: None,
        };
        server_fields.set(BTreeMap::new());
        if let Err(e) = input.validate() {
            errors.set(e);
            form_error.set(Some(Msg::FixFields));
            return;
        }
        errors.set(FieldErrors::default());
        form_error.set(None);
        duplicate.set(None);
        busy.set(true);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let saved = match existing_id {
                None => api::create_customer(&input).await,
                Some(id) => api::update_customer(id, &patch_of(input)).await,
            };
            match saved {
                Ok(c) => navigate(&format!("/customers/{}", c.id), Default::default()),
                Err(e) => {
                    // Everything typed stays in the form; only the message changes.
                    server_fields.set(e.fields());
                    duplicate.set(duplicate_of(&e));
                    form_error.set(match &e {
                        ApiError::Network => Some(Msg::Offline),
                        _ if !e.fields().is_empty() => Some(Msg::FixFields),
                        _ if duplicate.with_untracked(Option::is_some) => None,
                        _ => Some(Msg::SomethingWrong),
                    });
                    busy.set(false);
                }
            }
        });
    };

    let cancel_href = existing_id.map_or("/customers".to_string(), |id| format!("/customers/{id}"));
    view! {
        <form class="card form" on:submit=submit novalidate>
            <div class="field">
                <span class="label">{tr(Msg::Kind)}</span>
                <div class="segmented" role="radiogroup">
                    {[("company", Msg::Company), ("person", Msg::Person)]
                        .into_iter()
                        .map(|(v, m)| view! {
                            <label class="segment" class:selected=move || kind.get() == v>
                                <input type="radio" name="kind" value=v prop:checked=move || kind.get() == v on:change=move |_| kind.set(v.into())/>
                                {tr(m)}
                            </label>
                        })
                        .collect_view()}
                </div>
            </div>
            <TextField label=Msg::Name value=name name="name" error=err("name") required=true autocomplete="off"/>
            <div class="grid-2">
                <TextField label=Msg::Phones value=phones name="phones" kind="tel" inputmode="tel" error=err("phones") hint=Msg::CommaSeparated/>
                <TextField label=Msg::Emails value=emails name="emails" kind="text" inputmode="email" error=err("emails") hint=Msg::CommaSeparated/>
            </div>
            <div class="grid-2">
                <SelectField label=Msg::Status value=status name="status" options=LifecycleStatus::ALL.iter().map(|s| (s.as_str(), super::status_msg(*s))).collect()/>
                <SelectField label=Msg::Source value=source name="source_channel" options=source_options()/>
            </div>
            <TextField label=Msg::Address value=address name="address" error=err("address") autocomplete="street-address"/>
            <div class="grid-3">
                <TextField label=Msg::Industry value=industry name="industry" error=err("industry")/>
                <TextField label=Msg::Size value=size name="size" error=err("size")/>
                <TextField label=Msg::Region value=region name="region" error=err("region")/>
            </div>
            <TextField label=Msg::Tags value=tags name="tags" error=err("tags") hint=Msg::CommaSeparated/>
            <p class="form-error" role="alert">{move || form_error.get().map(|m| i18n.t(m))}</p>
            {move || duplicate.get().map(|d| view! { <DuplicateNotice duplicate=d/> })}
            <div class="actions">
                <a class="btn" href=cancel_href>{tr(Msg::Cancel)}</a>
                <button class="btn primary" type="submit" disabled=move || busy.get()>
                    {move || if busy.get() { i18n.t(Msg::Saving) } else { i18n.t(Msg::Save) }}
                </button>
            </div>
        </form>
    }
}

fn source_options() -> Vec<(&'static str, Msg)> {
    // An empty value means "not recorded".
    let mut options = vec![("", Msg::Dash)];
    options.extend(SourceChannel::ALL.iter().map(|s| (s.as_str(), source_msg(*s))));
    options
}

/// An edit sends every field of the form (absent ones would be left unchanged).
fn patch_of(input: NewCustomer) -> CustomerPatch {
    CustomerPatch {
        kind: Some(input.kind),
        name: Some(input.name),
        phones: Some(input.phones),
        emails: Some(input.emails),
        address: Some(input.address),
        industry: Some(input.industry),
        size: Some(input.size),
        region: Some(input.region),
        source_channel: Some(input.source_channel),
        status: input.status,
        tags: Some(input.tags),
        custom_fields: None,
        owner_id: None,
    }
}
