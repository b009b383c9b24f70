//! iCalendar (RFC 5545) output for the calendar feed.
