//! Drag and drop with pointer events (mouse, touch and pen alike), shared by
//! the pipeline board and the agenda. The pressed element follows the
//! pointer; on release the page asks what lies beneath it.

use leptos::ev::PointerEvent;

/// A press on an item, becoming a drag once the pointer travels a few pixels
/// (so a tap or click stays a tap or click).
#[derive(Debug, Clone, Copy)]
pub struct Press<T> {
    pub item: T,
    x: i32,
    y: i32,
    pub dragging: bool,
}

impl<T: Copy> Press<T> {
    /// Starts a press on the event's element and captures the pointer.
    pub fn start(item: T, ev: &PointerEvent) -> Self {
        capture(ev);
        Self { item, x: ev.client_x(), y: ev.client_y(), dragging: false }
    }

    /// Follows a pointer move: the element moves with the pointer once dragging.
    pub fn track(&mut self, ev: &PointerEvent) {
        let (dx, dy) = (ev.client_x() - self.x, ev.client_y() - self.y);
        if !self.dragging && dx.abs() + dy.abs() > 6 {
            self.dragging = true;
        }
        if self.dragging {
            follow(ev, dx, dy);
        }
    }
}

/// Puts the dragged element back in place.
pub fn reset(ev: &PointerEvent) {
    #[cfg(feature = "hydrate")]
    if let Some(el) = item_of(ev) {
        let _ = el.class_list().remove_1("dragging");
        let _ = el.style().remove_property("transform");
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ev;
}

/// The values of `attrs` on the nearest elements beneath the dragged one
/// that carry them (e.g. the column and the card a card was dropped on).
pub fn attrs_under<const N: usize>(ev: &PointerEvent, attrs: [&str; N]) -> [Option<String>; N] {
    #[cfg(feature = "hydrate")]
    {
        let below = (|| {
            let item = item_of(ev)?;
            // Look through the dragged element at what lies beneath it.
            let _ = item.style().set_property("visibility", "hidden");
            let below = web_sys::window()?.document()?.element_from_point(ev.client_x() as f32, ev.client_y() as f32);
            let _ = item.style().remove_property("visibility");
            below
        })();
        attrs.map(|attr| {
            let found = below.as_ref()?.closest(&format!("[{attr}]")).ok()??;
            found.get_attribute(attr)
        })
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = ev;
        attrs.map(|_| None)
    }
}

/// Whether the press started on the item's grip (on touch screens only the
/// grip drags, so swiping over an item still scrolls).
pub fn on_grip(ev: &PointerEvent) -> bool {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        ev.target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest(".grip").ok().flatten())
            .is_some()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = ev;
        false
    }
}

fn capture(ev: &PointerEvent) {
    #[cfg(feature = "hydrate")]
    if let Some(el) = item_of(ev) {
        // Synthetic events have no capturable pointer; moves still arrive on the item.
        let _ = el.set_pointer_capture(ev.pointer_id());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ev;
}

fn follow(ev: &PointerEvent, dx: i32, dy: i32) {
    #[cfg(feature = "hydrate")]
    if let Some(el) = item_of(ev) {
        let _ = el.class_list().add_1("dragging");
        let _ = el.style().set_property("transform", &format!("translate({dx}px, {dy}px)"));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (ev, dx, dy);
}

#[cfg(feature = "hydrate")]
fn item_of(ev: &PointerEvent) -> Option<web_sys::HtmlElement> {
    use wasm_bindgen::JsCast;
    ev.current_target()?.dyn_into::<web_sys::HtmlElement>().ok()
}
