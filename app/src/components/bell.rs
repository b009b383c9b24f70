//! The notification bell: unread count and a short-lived toast for each
//! notification pushed over server-sent events. The browser's EventSource
//! reconnects by itself and sends `Last-Event-ID`, so nothing is missed; when
//! the session expires the stream is closed, the session refreshed and the
//! stream reopened.

use crate::api;
use crate::i18n::{Msg, tr};
use leptos::prelude::*;
use leptos_router::hooks::use_location;
use rapport_shared::reminder::{Notification, ReminderCounts};

/// Badge figures shared by the bell, the navigation and the agenda.
#[derive(Debug, Clone, Copy)]
pub struct Live {
    pub counts: RwSignal<ReminderCounts>,
    /// Bumped on every pushed notification and local change: pages showing reminders reload.
    pub pulse: RwSignal<u32>,
}

pub fn provide_live() -> Live {
    let live = Live { counts: RwSignal::new(ReminderCounts::default()), pulse: RwSignal::new(0) };
    provide_context(live);
    live
}

pub fn use_live() -> Live {
    use_context::<Live>().unwrap_or_else(provide_live)
}

impl Live {
    pub fn refresh(self) {
        leptos::task::spawn_local(async move {
            if let Ok(c) = api::reminder_counts().await {
                self.counts.set(c);
            }
        });
    }

    /// Something on this page changed reminders or the timeline (a playbook
    /// applied, say): fresh counts, and pages showing them reload.
    pub fn changed(self) {
        self.refresh();
        self.pulse.update(|p| *p = p.wrapping_add(1));
    }
}

#[component]
pub fn Bell() -> impl IntoView {
    let live = use_live();
    let toast = RwSignal::new(None::<Notification>);
    let open = RwSignal::new(false);
    let list = RwSignal::new(Vec::<Notification>::new());
    Effect::new(move |_| {
        live.refresh();
        listen(live, toast);
    });
    let toggle = move |_| {
        open.update(|o| *o = !*o);
        if open.get_untracked() {
            leptos::task::spawn_local(async move {
                if let Ok(page) = api::notifications().await {
                    list.set(page.items);
                }
            });
        }
    };
    let read_all = move |_| {
        leptos::task::spawn_local(async move {
            if api::read_all_notifications().await.is_ok() {
                list.update(|l| l.iter_mut().for_each(|n| n.read_at = n.read_at.or(Some(crate::format::now()))));
                live.refresh();
            }
        });
    };
    let button = NodeRef::<leptos::html::Button>::new();
    // Escape closes the panel and gives the focus back to the bell.
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" && open.get_untracked() {
            open.set(false);
            if let Some(b) = button.get_untracked() {
                let _ = b.focus();
            }
        }
    };
    let close = move |_| open.set(false);
    // Another page (the bottom navigation stays tappable) closes it too.
    let location = use_location();
    Effect::new(move |_| {
        location.pathname.track();
        open.set(false);
    });
    view! {
        <div class="bell" on:keydown=on_key>
            <button type="button" class="bell-button" aria-label=tr(Msg::Notifications) aria-expanded=move || open.get().to_string()
                node_ref=button on:click=toggle>
                <svg viewBox="0 0 24 24" aria-hidden="true"><path d=ICON_BELL></path></svg>
                {move || {
                    let n = live.counts.get().unread_notifications;
                    (n > 0).then(|| view! { <span class="bell-badge" data-testid="unread">{n}</span> })
                }}
            </button>
            <Show when=move || open.get()>
                // A tap anywhere else closes the panel.
                <div class="bell-backdrop" aria-hidden="true" on:click=close></div>
                <div class="bell-panel card" role="dialog" aria-label=tr(Msg::Notifications)>
                    <div class="section-head">
                        <strong>{tr(Msg::Notifications)}</strong>
                        <button type="button" class="btn small ghost" on:click=read_all>{tr(Msg::MarkAllRead)}</button>
                    </div>
                    {move || {
                        let items = list.get();
                        if items.is_empty() {
                            view! { <p class="muted">{tr(Msg::NoNotifications)}</p> }.into_any()
                        } else {
                            view! {
                                <ul class="notification-list">
                                    {items.into_iter().map(|n| view! {
                                        <li class:unread=n.read_at.is_none()>
                                            <a href=n.customer_id.map(|c| format!("/customers/{c}")).unwrap_or_else(|| "/agenda".into())
                                                on:click=close>{n.title}</a>
                                            {n.body.map(|b| view! { <p class="muted">{b}</p> })}
                                        </li>
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }
                    }}
                </div>
            </Show>
            <div class="toast" role="status" aria-live="polite">
                {move || toast.get().map(|n| view! {
                    <div class="toast-body">
                        <strong>{n.title}</strong>
                        {n.body.map(|b| view! { <span class="muted">{b}</span> })}
                        <button type="button" class="btn small ghost" aria-label=tr(Msg::Close) on:click=move |_| toast.set(None)>"×"</button>
                    </div>
                })}
            </div>
        </div>
    }
}

const ICON_BELL: &str =
    "M12 22a2 2 0 0 0 2-2h-4a2 2 0 0 0 2 2zm6-6V11a6 6 0 0 0-5-5.9V4a1 1 0 0 0-2 0v1.1A6 6 0 0 0 6 11v5l-2 2v1h16v-1z";

#[cfg(feature = "hydrate")]
fn listen(live: Live, toast: RwSignal<Option<Notification>>) {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    let source = StoredValue::new_local(None::<web_sys::EventSource>);
    let open = move || {
        let init = web_sys::EventSourceInit::new();
        init.set_with_credentials(true);
        let Ok(es) = web_sys::EventSource::new_with_event_source_init_dict("/api/v1/notifications/stream", &init)
        else {
            return;
        };
        let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            let Some(data) = ev.data().as_string() else { return };
            if let Ok(n) = crate::api::decode::<Notification>(&data) {
                toast.set(Some(n));
                live.pulse.update(|p| *p += 1);
                live.refresh();
            }
        });
        let _ = es.add_event_listener_with_callback("notification", on_message.as_ref().unchecked_ref());
        // Lives as long as the page: the stream is opened once per page load.
        on_message.forget();
        source.set_value(Some(es));
    };
    open();
    // A closed stream (e.g. an expired session answered 401): refresh the
    // session through an API call, then open a new one.
    set_interval(
        move || {
            let closed =
                source.with_value(|s| s.as_ref().is_none_or(|es| es.ready_state() == web_sys::EventSource::CLOSED));
            if closed {
                leptos::task::spawn_local(async move {
                    if api::reminder_counts().await.is_ok() {
                        open();
                    }
                });
            }
        },
        std::time::Duration::from_secs(10),
    );
}

#[cfg(not(feature = "hydrate"))]
fn listen(_live: Live, _toast: RwSignal<Option<Notification>>) {}
