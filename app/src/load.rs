//! Data a page loads from the API: [`Load`], the one way pages fetch.
//!
//! A Leptos resource is generic over its value and its fetcher, and the
//! wasm carries a copy of the resource machinery (async derived signal,
//! subscribers, hydration) for each: about 4.7 KB of code per page's value
//! type. Every `Load` shares one resource type instead, whose fetcher is a
//! boxed closure answering a boxed value; the value's type is known again
//! where the page reads it.

use crate::api::ApiError;
use futures_util::FutureExt;
use futures_util::future::LocalBoxFuture;
use leptos::prelude::*;
use std::any::Any;
use std::future::Future;
use std::marker::PhantomData;
use std::rc::Rc;

/// What every load's resource holds: a `T` of its [`Load`], or why not.
type Loaded = Result<Rc<dyn Any>, ApiError>;

/// A fetcher that answers a boxed value.
type Fetch = Rc<dyn Fn() -> LocalBoxFuture<'static, Loaded>>;

/// A value loaded in the browser after hydration (never on the server,
/// which renders the loading state), again whenever a signal the fetcher
/// reads changes, or on [`Load::refetch`].
pub struct Load<T> {
    resource: LocalResource<Loaded>,
    value: PhantomData<fn() -> T>,
}

impl<T> Clone for Load<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Load<T> {}

impl<T: Clone + 'static> Load<T> {
    pub fn new<Fut>(fetch: impl Fn() -> Fut + 'static) -> Self
    where
        Fut: Future<Output = Result<T, ApiError>> + 'static,
    {
        let fetch: Fetch =
            Rc::new(move || fetch().map(|loaded| loaded.map(|v| Rc::new(v) as Rc<dyn Any>)).boxed_local());
        Self { resource: resource(fetch), value: PhantomData }
    }

    /// The value, or why it could not be loaded; `None` while it loads the
    /// first time. Tracked, like a signal's `get`.
    pub fn get(&self) -> Option<Result<T, ApiError>> {
        match self.resource.get()? {
            // `new` boxes only `T`s, so the downcast always succeeds.
            Ok(value) => value.downcast_ref::<T>().cloned().map(Ok),
            Err(e) => Some(Err(e)),
        }
    }

    /// Loads again; the current value stays until the new one arrives.
    pub fn refetch(&self) {
        self.resource.refetch();
    }
}

/// Not generic, so that there is one resource type in the wasm.
fn resource(fetch: Fetch) -> LocalResource<Loaded> {
    LocalResource::new(move || fetch())
}
