-- Search matches display names case-insensitively in every script. SQLite's lower()
-- folds only ASCII, so the folded form is computed by the hub and stored here.
ALTER TABLE users ADD COLUMN display_name_key TEXT NOT NULL DEFAULT '';
UPDATE users SET display_name_key = lower(display_name);
