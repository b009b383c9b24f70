//! Recurrence of reminders in a user's time zone (filled in below).
