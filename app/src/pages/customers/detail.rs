//! The customer's 360 page: details with tap-to-call / tap-to-mail links,
//! tags, custom fields, and contacts (add, remove). The timeline joins it
//! with the timeline issue.

use super::playbooks::Playbooks;
use super::status_msg;
use crate::api;
use crate::components::composer::Composer;
use crate::components::field::TextField;
use crate::components::states::{ErrorView, Skeleton};
use crate::components::timeline::Timeline;
use crate::format;
use crate::i18n::{Msg, deal_status_msg, field_error, source_msg, tr, use_i18n};
use crate::load::Load;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use rapport_shared::customer::{Contact, Customer, NewContact};
use rapport_shared::validate::FieldErrors;
use uuid::Uuid;

#[component]
pub fn CustomerDetail() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|s| Uuid::parse_str(&s).ok()));
    let data = Load::new(move || async move {
        match id() {
            Some(id) => api::customer(id).await,
            None => Err(crate::api::ApiError::not_found()),
        }
    });
    view! {
        {move || match data.get() {
            None => view! { <Skeleton rows=8/> }.into_any(),
            Some(Err(e)) => view! {
                <ErrorView error=e retry=move |_| data.refetch()/>
                <a class="btn" href="/customers">{tr(Msg::BackToCustomers)}</a>
            }.into_any(),
            Some(Ok(c)) => view! { <CustomerView customer=c/> }.into_any(),
        }}
    }
}

#[component]
fn CustomerView(customer: Customer) -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let id = customer.id;
    let archive_error = RwSignal::new(None::<Msg>);
    let archive = move |_| {
        if !crate::browser::confirm(i18n.t(Msg::ConfirmArchive)) {
            return;
        }
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match api::archive_customer(id).await {
                Ok(()) => navigate("/customers", Default::default()),
                Err(_) => archive_error.set(Some(Msg::SomethingWrong)),
            }
        });
    };
    let c = customer.clone();
    let touched = c.last_touch_at;
    let created = c.created_at;
    let row = move |label: Msg, value: Option<String>| {
        view! {
            <div class="kv">
                <dt>{tr(label)}</dt>
                <dd>{value.unwrap_or_else(|| "—".into())}</dd>
            </div>
        }
    };
    view! {
        <div class="page-head">
            <div>
                <a class="back" href="/customers">"← "{tr(Msg::Customers)}</a>
                <h1>{c.name.clone()}</h1>
                <p class="muted">
                    <span class=format!("badge status-{}", c.status.as_str())>{tr(status_msg(c.status))}</span>
                    {c.archived.then(|| view! { " " <span class="badge">{tr(Msg::Archived)}</span> })}
                    " · "{tr(if c.kind == rapport_shared::customer::CustomerKind::Company { Msg::Company } else { Msg::Person })}
                    " · "{c.owner.name.clone()}
                </p>
            </div>
            <div class="actions">
                <a class="btn" href=format!("/customers/{id}/edit")>{tr(Msg::Edit)}</a>
                {(!c.archived).then(|| view! { <button class="btn danger" on:click=archive>{tr(Msg::Archive)}</button> })}
            </div>
        </div>
        <p class="form-error" role="alert">{move || archive_error.get().map(|m| i18n.t(m))}</p>
        <div class="grid-2">
            <section class="card">
                <h2>{tr(Msg::Details)}</h2>
                <dl class="details">
                    <div class="kv">
                        <dt>{tr(Msg::Phones)}</dt>
                        <dd>
                            {if c.phones.is_empty() { view! { "—" }.into_any() } else {
                                c.phones.iter().map(|p| view! { <a class="tel" href=format!("tel:{p}")>{p.clone()}</a> " " }).collect_view().into_any()
                            }}
                        </dd>
                    </div>
                    <div class="kv">
                        <dt>{tr(Msg::Emails)}</dt>
                        <dd>
                            {if c.emails.is_empty() { view! { "—" }.into_any() } else {
                                c.emails.iter().map(|e| view! { <a href=format!("mailto:{e}")>{e.clone()}</a> " " }).collect_view().into_any()
                            }}
                        </dd>
                    </div>
                    {row(Msg::Address, c.address.clone())}
                    {row(Msg::Industry, c.industry.clone())}
                    {row(Msg::Size, c.size.clone())}
                    {row(Msg::Region, c.region.clone())}
                    <div class="kv">
                        <dt>{tr(Msg::Source)}</dt>
                        <dd>{move || c.source_channel.map_or("—", |s| i18n.t(source_msg(s)))}</dd>
                    </div>
                    <div class="kv">
                        <dt>{tr(Msg::Tags)}</dt>
                        <dd class="tags">
                            {if customer.tags.is_empty() { view! { "—" }.into_any() } else {
                                customer.tags.iter().map(|t| view! { <a class="chip small" href=format!("/customers?tag={t}")>{format!("#{t}")}</a> }).collect_view().into_any()
                            }}
                        </dd>
                    </div>
                    <div class="kv">
                        <dt>{tr(Msg::LastTouch)}</dt>
                        <dd>{move || format::date_time(touched, i18n.language())}</dd>
                    </div>
                    <div class="kv">
                        <dt>{tr(Msg::Created)}</dt>
                        <dd>{move || format::date_time(created, i18n.language())}</dd>
                    </div>
                    {(!customer.custom_fields.is_empty()).then(|| view! {
                        <div class="kv">
                            <dt>{tr(Msg::CustomFields)}</dt>
                            <dd>
                                {customer.custom_fields.iter().map(|(k, v)| view! {
                                    <div>{k.clone()}": "{v.as_str().map_or_else(|| v.to_string(), str::to_owned)}</div>
                                }).collect_view()}
                            </dd>
                        </div>
                    })}
                </dl>
            </section>
            <Contacts customer_id=id/>
        </div>
        <div class="grid-2">
            <Deals customer_id=id/>
            <Playbooks customer_id=id/>
        </div>
        <section class="card">
            <h2>{tr(Msg::LogActivity)}</h2>
            <Composer customer_id=id customer_name=customer.name.clone()/>
        </section>
        <Timeline customer_id=id/>
    }
}

/// The contacts card: list, remove, and an add form.
#[component]
fn Contacts(customer_id: Uuid) -> impl IntoView {
    let data = Load::new(move || api::contacts(customer_id));
    let adding = RwSignal::new(false);
    view! {
        <section class="card">
            <div class="section-head">
                <h2>{tr(Msg::Contacts)}</h2>
                <button class="btn small" on:click=move |_| adding.update(|a| *a = !*a)>{tr(Msg::AddContact)}</button>
            </div>
            <Show when=move || adding.get()>
                <ContactForm customer_id on_saved=move || { adding.set(false); data.refetch(); }/>
            </Show>
            {move || match data.get() {
                None => view! { <Skeleton rows=2/> }.into_any(),
                Some(Err(e)) => view! { <ErrorView error=e retry=move |_| data.refetch()/> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p class="muted">{tr(Msg::NoContacts)}</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <ul class="contact-list">
                        {list.into_iter().map(|contact| view! { <ContactRow contact on_removed=move || data.refetch()/> }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </section>
    }
}

#[component]
fn ContactRow(contact: Contact, on_removed: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let i18n = use_i18n();
    let id = contact.id;
    let remove = move |_| {
        leptos::task::spawn_local(async move {
            if api::delete_contact(id).await.is_ok() {
                on_removed();
            }
        });
    };
    view! {
        <li class="contact">
            <div>
                <strong>{contact.name.clone()}</strong>
                {contact.title.clone().map(|t| view! { <span class="muted">" · "{t}</span> })}
                <div class="contact-links">
                    {contact.phone.clone().map(|p| view! { <a class="tel" href=format!("tel:{p}")>{p.clone()}</a> })}
                    {contact.email.clone().map(|e| view! { <a href=format!("mailto:{e}")>{e.clone()}</a> })}
                </div>
            </div>
            <button class="btn small ghost" on:click=remove aria-label=move || format!("{} {}", i18n.t(Msg::Remove), contact.name)>
                {tr(Msg::Remove)}
            </button>
        </li>
    }
}

#[component]
fn ContactForm(customer_id: Uuid, on_saved: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let i18n = use_i18n();
    let name = RwSignal::new(String::new());
    let title = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::default());
    let form_error = RwSignal::new(None::<Msg>);
    let err = move |f: &'static str| Signal::derive(move || errors.with(|e| e.get(f).map(field_error)));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = NewContact {
            name: name.get_untracked(),
            title: Some(title.get_untracked()),
            phone: Some(phone.get_untracked()),
            email: Some(email.get_untracked()),
            notes: None,
        };
        if let Err(e) = input.validate() {
            errors.set(e);
            return;
        }
        errors.set(FieldErrors::default());
        leptos::task::spawn_local(async move {
            match api::create_contact(customer_id, &input).await {
                Ok(_) => on_saved(),
                Err(api::ApiError::Network) => form_error.set(Some(Msg::Offline)),
                Err(_) => form_error.set(Some(Msg::SomethingWrong)),
            }
        });
    };
    view! {
        <form class="contact-form" on:submit=submit novalidate>
            <TextField label=Msg::Name value=name name="contact_name" error=err("name") required=true/>
            <TextField label=Msg::Title value=title name="contact_title" error=err("title")/>
            <TextField label=Msg::Phone value=phone name="contact_phone" kind="tel" error=err("phone")/>
            <TextField label=Msg::Email value=email name="contact_email" kind="email" error=err("email")/>
            <p class="form-error" role="alert">{move || form_error.get().map(|m| i18n.t(m))}</p>
            <button class="btn primary" type="submit">{tr(Msg::Save)}</button>
        </form>
    }
}

/// The customer's deals, and a short form to open one.
#[component]
fn Deals(customer_id: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let data = Load::new(move || async move {
        api::deals(&rapport_shared::pipeline::DealQuery { customer: Some(customer_id), ..Default::default() }).await
    });
    let adding = RwSignal::new(false);
    let title = RwSignal::new(String::new());
    let amount = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Msg>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = amount.get_untracked();
        let amount_minor = format::parse_amount(&text);
        if amount_minor.is_none() && !text.trim().is_empty() {
            error.set(Some(Msg::ErrInvalid));
            return;
        }
        let input = rapport_shared::pipeline::NewDeal {
            customer_id,
            title: title.get_untracked(),
            pipeline_id: None,
            stage_id: None,
            amount_minor,
            currency: None,
            expected_close: None,
            notes: None,
        };
        if input.validate().is_err() {
            error.set(Some(Msg::ErrRequired));
            return;
        }
        leptos::task::spawn_local(async move {
            match api::create_deal(&input).await {
                Ok(_) => {
                    adding.set(false);
                    title.set(String::new());
                    amount.set(String::new());
                    error.set(None);
                    data.refetch();
                }
                Err(api::ApiError::Network) => error.set(Some(Msg::Offline)),
                Err(_) => error.set(Some(Msg::SomethingWrong)),
            }
        });
    };
    view! {
        <section class="card">
            <div class="section-head">
                <h2>{tr(Msg::Deals)}</h2>
                <button class="btn small" on:click=move |_| adding.update(|a| *a = !*a)>{tr(Msg::NewDeal)}</button>
            </div>
            <Show when=move || adding.get()>
                <form class="contact-form" on:submit=submit novalidate>
                    <TextField label=Msg::DealTitle value=title name="deal_title" required=true/>
                    <TextField label=Msg::Amount value=amount name="deal_amount" inputmode="decimal"/>
                    <p class="form-error" role="alert">{move || error.get().map(|m| i18n.t(m))}</p>
                    <button class="btn primary" type="submit">{tr(Msg::Save)}</button>
                </form>
            </Show>
            {move || match data.get() {
                None => view! { <Skeleton rows=1/> }.into_any(),
                Some(Err(e)) => view! { <ErrorView error=e retry=move |_| data.refetch()/> }.into_any(),
                Some(Ok(page)) if page.items.is_empty() => view! { <p class="muted">{tr(Msg::NoDeals)}</p> }.into_any(),
                Some(Ok(page)) => view! {
                    <ul class="contact-list">
                        {page.items.into_iter().map(|d| view! {
                            <li class="contact">
                                <div>
                                    <a class="deal-link" href=format!("/deals/{}", d.id)><strong>{d.title.clone()}</strong></a>
                                    <span class=format!("badge deal-{}", d.status.as_str())>{tr(deal_status_msg(d.status))}</span>
                                </div>
                                <span>{d.amount_minor.map(|a| crate::format::money(a, &d.currency, i18n.language_untracked()))}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                    <a href="/pipeline">{tr(Msg::Pipeline)}" →"</a>
                }.into_any(),
            }}
        </section>
    }
}
