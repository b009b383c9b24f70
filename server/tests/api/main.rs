//! Integration tests: each starts the real server on a random port with a
//! fresh database (SQLite; PostgreSQL when `RAPPORT_TEST_POSTGRES_URL` is set)
//! and speaks HTTP to it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod access;
mod audit;
mod auth;
mod compression;
mod contacts;
mod customers;
mod deals;
mod demo;
mod durability;
mod health;
mod helpers;
mod hostile;
mod mail;
mod openapi;
mod people;
mod playbooks;
mod pool;
mod reminders;
mod shutdown;
mod timeline;
mod validation;
