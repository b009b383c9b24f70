//! The customer list: search as you type, status chips, sort, tag filter,
//! and infinite scroll over keyset pages (with a "Load more" button for
//! keyboards and as a fallback). Filters live in the URL so Back works.

use super::card::CustomerCard;
use super::pool::claim_msg;
use super::status_msg;
use crate::api;
use crate::components::owner_chip::OwnerChip;
use crate::components::states::{Empty, ErrorView, Phase, Skeleton};
use crate::i18n::{Msg, tr, use_i18n};
use crate::load::Load;
use crate::session::use_session;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use rapport_shared::auth::Role;
use rapport_shared::customer::{Customer, CustomerQuery, CustomerSort, LifecycleStatus};
use std::time::Duration;

const PAGE_SIZE: u64 = 30;
/// The "not contacted for a month" chip.
const UNTOUCHED_DAYS: u32 = 30;

#[component]
pub fn CustomerList() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_query_map().get_untracked();
    let param = |k: &str| params.get(k).unwrap_or_default();

    let typed = RwSignal::new(param("q"));
    let q = RwSignal::new(param("q"));
    let status = RwSignal::new(LifecycleStatus::parse(&param("status")));
    let sort = RwSignal::new(parse_sort(&param("sort")));
    let tag = RwSignal::new(Some(param("tag")).filter(|t| !t.is_empty()));
    let untouched = RwSignal::new(param("untouched_days").parse::<u32>().ok());
    // One person's customers (a manager's click-through from the team dashboard).
    let owner = RwSignal::new(uuid::Uuid::parse_str(&param("owner")).ok());
    // The shared pool instead of the customers one may own.
    let pool = RwSignal::new(param("pool") == "true");
    let notice = RwSignal::new(None::<Msg>);
    // Managers and admins select customers to reassign them.
    let supervises = use_session().user_untracked().is_some_and(|u| u.role != Role::Rep);
    let chosen = RwSignal::new(std::collections::BTreeSet::<uuid::Uuid>::new());

    let items = RwSignal::new(Vec::<Customer>::new());
    let next = RwSignal::new(None::<String>);
    let phase = RwSignal::new(Phase::Loading);
    let loading_more = RwSignal::new(false);
    // Answers to superseded queries are dropped: only the latest counts.
    let generation = StoredValue::new(0u64);

    let query = move |cursor: Option<String>| CustomerQuery {
        q: Some(q.get_untracked()).filter(|s| !s.trim().is_empty()),
        status: status.get_untracked(),
        sort: Some(sort.get_untracked()),
        tag: tag.get_untracked(),
        untouched_days: untouched.get_untracked(),
        owner: owner.get_untracked(),
        pool: pool.get_untracked().then_some(true),
        limit: Some(PAGE_SIZE),
        cursor,
        ..Default::default()
    };

    let load_first = move || {
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        phase.set(Phase::Loading);
        let request = query(None);
        sync_url(&request);
        leptos::task::spawn_local(async move {
            let result = api::customers(&request).await;
            if generation.get_value() != mine {
                return;
            }
            match result {
                Ok(page) => {
                    items.set(page.items);
                    next.set(page.next_cursor);
                    phase.set(Phase::Ready);
                }
                Err(e) => phase.set(Phase::Failed(e)),
            }
        });
    };

    let load_more = move || {
        let Some(cursor) = next.get_untracked() else {
            return;
        };
        if loading_more.get_untracked() || phase.get_untracked() != Phase::Ready {
            return;
        }
        loading_more.set(true);
        let mine = generation.get_value();
        let request = query(Some(cursor));
        leptos::task::spawn_local(async move {
            let result = api::customers(&request).await;
            if generation.get_value() == mine {
                match result {
                    Ok(page) => {
                        items.update(|v| v.extend(page.items));
                        next.set(page.next_cursor);
                    }
                    Err(e) => phase.set(Phase::Failed(e)),
                }
            }
            loading_more.set(false);
        });
    };

    // Reload whenever a filter changes (runs in the browser only).
    Effect::new(move |_| {
        q.track();
        status.track();
        sort.track();
        tag.track();
        untouched.track();
        owner.track();
        pool.track();
        load_first();
    });

    // Search as you type, without a request per keystroke.
    let on_search = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        typed.set(value.clone());
        set_timeout(
            move || {
                if typed.get_untracked() == value && q.get_untracked() != value {
                    q.set(value);
                }
            },
            Duration::from_millis(250),
        );
    };

    // Infinite scroll: fetch the next page when the end is near.
    let _scroll = window_event_listener(leptos::ev::scroll, move |_| {
        if crate::browser::near_bottom() {
            load_more();
        }
    });

    let clear = move |_| {
        typed.set(String::new());
        q.set(String::new());
        status.set(None);
        tag.set(None);
        untouched.set(None);
        owner.set(None);
        pool.set(false);
    };
    let filtered = move || {
        !q.get().trim().is_empty()
            || status.get().is_some()
            || tag.get().is_some()
            || untouched.get().is_some()
            || owner.get().is_some()
    };
    // A claimed customer leaves the pool list; the answer is shown either way.
    let on_claimed = Callback::new(move |result: Result<Customer, crate::api::ApiError>| {
        notice.set(Some(claim_msg(&result)));
        if let Ok(c) = result {
            items.update(|v| v.retain(|x| x.id != c.id));
        }
    });

    view! {
        <div class="page-head">
            <h1>{tr(Msg::Customers)}</h1>
            <a class="btn primary" href="/customers/new">{tr(Msg::NewCustomer)}</a>
        </div>
        <div class="filters">
            <input
                class="search"
                type="search"
                name="q"
                aria-label=tr(Msg::Search)
                placeholder=tr(Msg::SearchPlaceholder)
                prop:value=move || typed.get()
                on:input=on_search
            />
            <select
                class="sort"
                aria-label="Sort"
                prop:value=move || sort_value(sort.get())
                on:change=move |ev| sort.set(parse_sort(&event_target_value(&ev)))
            >
                <option value="name">{tr(Msg::SortByName)}</option>
                <option value="last_touch">{tr(Msg::SortByRecent)}</option>
                <option value="last_touch_asc">{tr(Msg::SortByOldest)}</option>
            </select>
        </div>
        <div class="chips" role="group" aria-label=tr(Msg::Status)>
            // First, where a phone shows it without scrolling: it came from a link, not a tap here.
            {move || owner.get().map(|id| view! { <OwnerChip owner=id on_clear=move || owner.set(None)/> })}
            <button class="chip" aria-pressed=move || status.get().is_none().to_string() on:click=move |_| status.set(None)>
                {tr(Msg::AllStatuses)}
            </button>
            {LifecycleStatus::ALL
                .iter()
                .map(|s| {
                    let s = *s;
                    view! {
                        <button class="chip" aria-pressed=move || (status.get() == Some(s)).to_string() on:click=move |_| status.set(Some(s))>
                            {tr(status_msg(s))}
                        </button>
                    }
                })
                .collect_view()}
            <button class="chip" aria-pressed=move || untouched.get().is_some().to_string()
                on:click=move |_| untouched.update(|u| *u = if u.is_some() { None } else { Some(UNTOUCHED_DAYS) })>
                {tr(Msg::Untouched30)}
            </button>
            <button class="chip" aria-pressed=move || pool.get().to_string()
                on:click=move |_| { notice.set(None); pool.update(|p| *p = !*p) }>
                {tr(Msg::SharedPool)}
            </button>
            {move || tag.get().map(|t| view! {
                <button class="chip" aria-pressed="true" on:click=move |_| tag.set(None)>{format!("#{t} ✕")}</button>
            })}
        </div>
        <p class="form-status" role="status">{move || notice.get().map(|m| i18n.t(m))}</p>
        <Show when=move || chosen.with(|c| !c.is_empty())>
            <ReassignBar chosen on_done=move |msg| { notice.set(Some(msg)); load_first(); }/>
        </Show>
        {move || match phase.get() {
            Phase::Loading => view! { <Skeleton rows=8/> }.into_any(),
            Phase::Failed(e) => view! { <ErrorView error=e retry=move |_| load_first()/> }.into_any(),
            Phase::Ready if items.with(Vec::is_empty) && pool.get() && !filtered() => view! {
                <Empty title=Msg::PoolEmpty hint=Msg::PoolEmptyHint>
                    <button class="btn" on:click=clear>{tr(Msg::BackToCustomers)}</button>
                </Empty>
            }.into_any(),
            Phase::Ready if items.with(Vec::is_empty) && filtered() => view! {
                <Empty title=Msg::NoMatches hint=Msg::NoMatchesHint>
                    <button class="btn" on:click=clear>{tr(Msg::ClearFilters)}</button>
                </Empty>
            }.into_any(),
            Phase::Ready if items.with(Vec::is_empty) => view! {
                <Empty title=Msg::NoCustomers hint=Msg::NoCustomersHint>
                    <a class="btn primary" href="/customers/new">{tr(Msg::NewCustomer)}</a>
                </Empty>
            }.into_any(),
            Phase::Ready => view! {
                <ul class="customer-list card">
                    <For each=move || items.get() key=|c| c.id children=move |c| if c.pooled_at.is_some() {
                        view! { <CustomerCard customer=c on_claimed=on_claimed/> }.into_any()
                    } else if supervises {
                        view! { <CustomerCard customer=c selection=chosen/> }.into_any()
                    } else {
                        view! { <CustomerCard customer=c/> }.into_any()
                    }/>
                </ul>
                <Show when=move || next.with(Option::is_some)>
                    <button class="btn block load-more" on:click=move |_| load_more() disabled=move || loading_more.get()>
                        {move || if loading_more.get() { i18n.t(Msg::Loading) } else { i18n.t(Msg::LoadMore) }}
                    </button>
                </Show>
            }.into_any(),
        }}
    }
}

fn parse_sort(raw: &str) -> CustomerSort {
    match raw {
        "last_touch" => CustomerSort::LastTouch,
        "last_touch_asc" => CustomerSort::LastTouchAsc,
        _ => CustomerSort::Name,
    }
}

fn sort_value(sort: CustomerSort) -> &'static str {
    match sort {
        CustomerSort::Name => "name",
        CustomerSort::LastTouch => "last_touch",
        CustomerSort::LastTouchAsc => "last_touch_asc",
    }
}

/// Keeps the filters in the address bar without adding history entries.
fn sync_url(query: &CustomerQuery) {
    #[cfg(feature = "hydrate")]
    {
        let visible = CustomerQuery { limit: None, cursor: None, ..query.clone() };
        let qs = serde_urlencoded::to_string(&visible).unwrap_or_default();
        crate::browser::replace_url(&if qs.is_empty() { "/customers".to_string() } else { format!("/customers?{qs}") });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = query;
}

/// The action bar over selected customers: give them to someone else
/// (with their open deals and reminders).
#[component]
fn ReassignBar(
    chosen: RwSignal<std::collections::BTreeSet<uuid::Uuid>>,
    on_done: impl Fn(Msg) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let people = Load::new(crate::api::users);
    let to = RwSignal::new(String::new());
    let send = move |_| {
        let Ok(owner_id) = uuid::Uuid::parse_str(&to.get_untracked()) else { return on_done(Msg::ChooseReceiver) };
        let customer_ids: Vec<uuid::Uuid> = chosen.get_untracked().into_iter().collect();
        let input = rapport_shared::team::Reassign { customer_ids, owner_id };
        leptos::task::spawn_local(async move {
            match crate::api::reassign(&input).await {
                Ok(_) => {
                    chosen.set(Default::default());
                    on_done(Msg::Reassigned);
                }
                Err(crate::api::ApiError::Network) => on_done(Msg::Offline),
                Err(_) => on_done(Msg::SomethingWrong),
            }
        });
    };
    view! {
        <div class="card bulk-bar" role="region" aria-label=tr(Msg::Reassign)>
            <strong>{move || chosen.with(|c| c.len())}" "{tr(Msg::Selected)}</strong>
            <select class="input" aria-label=tr(Msg::HandOverTo) prop:value=move || to.get()
                on:change=move |ev| to.set(event_target_value(&ev))>
                <option value="">{tr(Msg::HandOverTo)}"…"</option>
                {move || people.get().and_then(Result::ok).unwrap_or_default().into_iter().filter(|u| u.active).map(|u| view! {
                    <option value=u.id.to_string()>{u.name}</option>
                }).collect_view()}
            </select>
            <button class="btn primary" type="button" on:click=send>{tr(Msg::Reassign)}</button>
            <button class="btn" type="button" on:click=move |_| chosen.set(Default::default())>{tr(Msg::Cancel)}</button>
        </div>
    }
}
