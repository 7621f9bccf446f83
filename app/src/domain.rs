//! The comment as the service understands it: parsed once at the edge, valid everywhere after
//! ("parse, don't validate"). Every constructor returns a precise, client-facing message.

use std::fmt;

/// The longest comment accepted, in Unicode scalar values (characters), after trimming.
pub const MAX_COMMENT_CHARS: usize = 2_000;
/// RFC 5321 caps a forward path at 256 octets including the angle brackets: 254 for the address.
pub const MAX_EMAIL_LEN: usize = 254;

/// A rejected field, with a message that says what is wrong and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ValidationError(pub String);

/// A syntactically valid email address; the domain is lower-cased (domains are case-insensitive,
/// local parts are not), so `bob@Example.COM` and `bob@example.com` are the same author.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(ValidationError("email must not be empty".into()));
        }
        if trimmed.len() > MAX_EMAIL_LEN {
            return Err(ValidationError(format!(
                "email must be at most {MAX_EMAIL_LEN} bytes, got {}",
                trimmed.len()
            )));
        }
        if !email_address::EmailAddress::is_valid(trimmed) {
            return Err(ValidationError(format!(
                "email {trimmed:?} is not a valid email address"
            )));
        }
        // is_valid guarantees exactly one unquoted '@' separates local part and domain; the last
        // '@' is that separator even when a quoted local part contains another '@'.
        let (local, domain) = trimmed
            .rsplit_once('@')
            .ok_or_else(|| ValidationError(format!("email {trimmed:?} has no domain")))?;
        Ok(Self(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The text of a comment: surrounding whitespace trimmed, 1..=MAX_COMMENT_CHARS characters, no
/// control characters other than tab and line breaks (PostgreSQL cannot store NUL at all).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentText(String);

impl CommentText {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(ValidationError(
                "comment must not be empty or only whitespace".into(),
            ));
        }
        let chars = trimmed.chars().count();
        if chars > MAX_COMMENT_CHARS {
            return Err(ValidationError(format!(
                "comment must be at most {MAX_COMMENT_CHARS} characters, got {chars}"
            )));
        }
        if let Some(bad) = trimmed
            .chars()
            .find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            return Err(ValidationError(format!(
                "comment must not contain control character U+{:04X}",
                u32::from(bad)
            )));
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The article a comment belongs to: a positive 64-bit integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContentId(i64);

impl ContentId {
    pub fn new(value: i64) -> Result<Self, ValidationError> {
        if value < 1 {
            return Err(ValidationError(format!(
                "content_id must be a positive integer, got {value}"
            )));
        }
        Ok(Self(value))
    }

    /// The original service also accepted numeric strings (`"content_id": "42"`); so do we, as
    /// long as the string is exactly a decimal number from 1 to `i64::MAX`: digits only, no sign,
    /// no spaces, no leading zero. [`content_id_pattern`] says the same to OpenAPI clients.
    pub fn parse_str(raw: &str) -> Result<Self, ValidationError> {
        let canonical = raw.bytes().all(|b| b.is_ascii_digit())
            && raw.bytes().next().is_some_and(|b| b != b'0');
        if !canonical {
            return Err(ValidationError(format!(
                "content_id must be a positive integer (digits only, no leading zero), got {raw:?}"
            )));
        }
        let value: i64 = raw.parse().map_err(|_| {
            ValidationError(format!(
                "content_id must be at most {}, got {raw}",
                i64::MAX
            ))
        })?;
        Self::new(value)
    }

    pub fn get(self) -> i64 {
        self.0
    }

    pub fn as_i64(&self) -> &i64 {
        &self.0
    }
}

/// The regular expression (ECMA-262 and Rust alike) of the strings [`ContentId::parse_str`]
/// accepts: the decimal numbers 1..=i64::MAX, derived digit by digit from `i64::MAX`.
pub fn content_id_pattern() -> String {
    let max = i64::MAX.to_string();
    let len = max.len();
    // Shorter numbers: any first digit but 0.
    let mut alternatives = vec![format!("[1-9][0-9]{{0,{}}}", len - 2)];
    // As long as MAX: MAX's first i digits, a smaller digit, then anything.
    for (i, digit) in max.bytes().map(|b| b - b'0').enumerate() {
        let lowest = u8::from(i == 0);
        if digit > lowest {
            alternatives.push(format!(
                "{}[{lowest}-{}][0-9]{{{}}}",
                &max[..i],
                digit - 1,
                len - i - 1
            ));
        }
    }
    alternatives.push(max);
    format!("^(?:{})$", alternatives.join("|"))
}

impl fmt::Display for ContentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A comment that passed validation and may be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewComment {
    pub content_id: ContentId,
    pub email: Email,
    pub comment: CommentText,
}

impl NewComment {
    /// The identity used for de-duplication: same article, same author, same text.
    /// SHA-256 keeps the unique index small whatever the comment's length (a B-tree entry in
    /// PostgreSQL cannot exceed ~2.7 kB, a 2000-character comment can be 8 kB of UTF-8).
    pub fn fingerprint(&self) -> Vec<u8> {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        // Length-prefix each part so ("ab","c") and ("a","bc") never collide.
        for part in [self.email.as_str(), self.comment.as_str()] {
            hasher.update((part.len() as u64).to_be_bytes());
            hasher.update(part.as_bytes());
        }
        hasher.update(self.content_id.get().to_be_bytes());
        hasher.finalize().to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_accepts_plain_and_lowercases_domain_only() {
        let email = Email::parse("  Alice.Smith@Example.COM ").unwrap();
        assert_eq!(email.as_str(), "Alice.Smith@example.com");
    }

    #[test]
    fn email_rejects_bad_syntax_with_the_value_in_the_message() {
        for bad in [
            "alice",
            "alice@",
            "@example.com",
            "a b@example.com",
            "alice@@example.com",
        ] {
            let err = Email::parse(bad).unwrap_err();
            assert!(err.0.contains("not a valid email"), "{bad}: {err}");
        }
        assert_eq!(
            Email::parse("   ").unwrap_err().0,
            "email must not be empty"
        );
    }

    #[test]
    fn email_rejects_overlong_addresses() {
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(Email::parse(&long).unwrap_err().0.contains("at most 254"));
    }

    #[test]
    fn comment_is_trimmed_and_bounded_in_characters_not_bytes() {
        assert_eq!(CommentText::parse("  hi \n").unwrap().as_str(), "hi");
        let max_multibyte = "é".repeat(MAX_COMMENT_CHARS);
        assert!(CommentText::parse(&max_multibyte).is_ok());
        let err = CommentText::parse(&"x".repeat(MAX_COMMENT_CHARS + 1)).unwrap_err();
        assert_eq!(err.0, "comment must be at most 2000 characters, got 2001");
    }

    #[test]
    fn comment_rejects_blank_and_control_characters() {
        assert!(
            CommentText::parse(" \t\n ")
                .unwrap_err()
                .0
                .contains("empty")
        );
        assert!(
            CommentText::parse("nul\0byte")
                .unwrap_err()
                .0
                .contains("U+0000")
        );
        assert!(CommentText::parse("line one\nline two\ttab").is_ok());
    }

    #[test]
    fn content_id_must_be_positive() {
        assert_eq!(ContentId::new(1).unwrap().get(), 1);
        assert!(ContentId::new(0).is_err());
        assert!(ContentId::new(-5).is_err());
        assert_eq!(ContentId::new(i64::MAX).unwrap().get(), i64::MAX);
    }

    #[test]
    fn content_id_accepts_numeric_strings_only() {
        assert_eq!(ContentId::parse_str("42").unwrap().get(), 42);
        for bad in [
            "", "abc", "1.5", "-1", "+1", "0", "1e3", "0x10", " 42", "42 ", "\t7", "07", "00",
            "4\u{663}", "\u{0662}",
        ] {
            assert!(ContentId::parse_str(bad).is_err(), "{bad:?} accepted");
        }
        let err = ContentId::parse_str("9223372036854775808").unwrap_err();
        assert!(err.0.contains("at most 9223372036854775807"), "{err}");
    }

    /// The OpenAPI pattern and the parser accept exactly the same strings: boundaries, every
    /// short string over an alphabet of the troublesome characters, and many random numbers.
    #[test]
    fn the_pattern_and_the_parser_agree() {
        let pattern = regex::Regex::new(&content_id_pattern()).unwrap();
        let agree = |s: &str| {
            assert_eq!(
                pattern.is_match(s),
                ContentId::parse_str(s).is_ok(),
                "{s:?}: pattern and parser disagree"
            );
        };
        for s in [
            "1",
            "9",
            "10",
            "99",
            "9223372036854775807",
            "9223372036854775806",
            "9223372036854775808",
            "9223372036854775810",
            "9223372036854775799",
            "9300000000000000000",
            "10000000000000000000",
            "999999999999999999",
            "1000000000000000000",
            "8999999999999999999",
            "0",
            "00",
            "01",
            " 1",
            "1 ",
            "+1",
            "-1",
        ] {
            agree(s);
        }
        let alphabet = ["0", "1", "9", " ", "+", "-", "a", "\n", "\u{663}"];
        let mut strings = vec![String::new()];
        for _ in 0..3 {
            strings = strings
                .iter()
                .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                .collect();
            strings.iter().for_each(|s| agree(s));
        }
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let n = x >> (x % 64);
            agree(&n.to_string());
            agree(&format!("{n}{}", x % 10));
        }
    }

    #[test]
    fn fingerprint_depends_on_every_part_and_their_boundaries() {
        let make = |id, email: &str, text: &str| NewComment {
            content_id: ContentId::new(id).unwrap(),
            email: Email::parse(email).unwrap(),
            comment: CommentText::parse(text).unwrap(),
        };
        let base = make(1, "a@example.com", "hello");
        assert_eq!(
            base.fingerprint(),
            make(1, "a@EXAMPLE.com", " hello ").fingerprint()
        );
        assert_ne!(
            base.fingerprint(),
            make(2, "a@example.com", "hello").fingerprint()
        );
        assert_ne!(
            base.fingerprint(),
            make(1, "b@example.com", "hello").fingerprint()
        );
        assert_ne!(
            base.fingerprint(),
            make(1, "a@example.com", "hello!").fingerprint()
        );
        assert_eq!(base.fingerprint().len(), 32);
    }
}
