-- Refresh tokens are pruned once expired; find them without a scan of the table.
CREATE INDEX refresh_tokens_expiry ON refresh_tokens (expires_at);
