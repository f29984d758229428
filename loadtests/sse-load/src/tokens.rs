//! The tokens file written by `hugmood seed --tokens-out FILE`: one line per
//! user, `<user id> <access token>`.

use anyhow::Context;
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenEntry {
    pub user_id: String,
    pub token: String,
}

/// Parses the file's text. Blank lines, `#` comments, surrounding spaces and
/// CRLF line ends are fine; anything else that is not two fields is an error.
pub fn parse_tokens(text: &str) -> Result<Vec<TokenEntry>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut fields = line.split_whitespace();
        let (Some(user_id), Some(token), None) = (fields.next(), fields.next(), fields.next())
        else {
            return Err(format!(
                "line {}: expected `<user id> <access token>`",
                n + 1
            ));
        };
        if !token.bytes().all(|b| b.is_ascii_graphic())
            || !user_id.bytes().all(|b| b.is_ascii_graphic())
        {
            return Err(format!("line {}: non-ASCII or control characters", n + 1));
        }
        out.push(TokenEntry {
            user_id: user_id.to_string(),
            token: token.to_string(),
        });
    }
    Ok(out)
}

/// Reads and parses a tokens file; an empty file is an error.
pub fn read_tokens(path: &Path) -> anyhow::Result<Vec<TokenEntry>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read tokens file {}", path.display()))?;
    let tokens =
        parse_tokens(&text).map_err(|e| anyhow::anyhow!("tokens file {}: {e}", path.display()))?;
    if tokens.is_empty() {
        anyhow::bail!(
            "tokens file {} has no tokens (write one with `hugmood seed --users N --tokens-out FILE`)",
            path.display()
        );
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_lines_comments_and_trailing_spaces() {
        let text = "\n# seeded\nu1 tokA   \n\n  u2\ttokB\r\n   \nu3 tokC";
        let t = parse_tokens(text).expect("ok");
        assert_eq!(t.len(), 3);
        assert_eq!(
            t[0],
            TokenEntry {
                user_id: "u1".into(),
                token: "tokA".into()
            }
        );
        assert_eq!(
            t[1],
            TokenEntry {
                user_id: "u2".into(),
                token: "tokB".into()
            }
        );
        assert_eq!(t[2].token, "tokC");
        assert!(parse_tokens("").expect("ok").is_empty());
    }

    #[test]
    fn malformed_lines_are_errors() {
        assert!(parse_tokens("u1\n").expect_err("error").contains("line 1"));
        assert!(parse_tokens("u1 a\nu2 b c\n")
            .expect_err("error")
            .contains("line 2"));
        assert!(parse_tokens("u1 tök\n").is_err());
    }

    #[test]
    fn reads_a_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("tokens.txt");
        std::fs::write(&path, "a 1\nb 2\n").expect("write");
        assert_eq!(read_tokens(&path).expect("read").len(), 2);
        std::fs::write(&path, "\n\n").expect("write");
        assert!(read_tokens(&path).is_err());
        assert!(read_tokens(&dir.path().join("missing")).is_err());
    }
}
