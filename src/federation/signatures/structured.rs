//! The part of RFC 8941 (Structured Field Values for HTTP) that `Signature-Input`,
//! `Signature` and `Content-Digest` use: dictionaries whose members are items or inner
//! lists, with parameters, and the bare items integer, decimal, string, token, byte
//! sequence and boolean. Parsing is strict (RFC 8941 §4.2) and bounded: callers cap
//! the field length, and member, item and parameter counts are capped here. Duplicate
//! dictionary keys and parameters are refused rather than overwritten, so a signature
//! never depends on which copy a parser kept.
//!
//! Spec: <https://www.rfc-editor.org/rfc/rfc8941>

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use super::LENIENT_BASE64;

/// The most members a dictionary may have (signature labels, digest algorithms).
const MAX_MEMBERS: usize = 16;
/// The most items an inner list may have (covered components of one signature).
const MAX_ITEMS: usize = 32;
/// The most parameters an item or inner list may have.
const MAX_PARAMETERS: usize = 16;

/// A bare item (RFC 8941 §3.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum BareItem {
    Integer(i64),
    /// A decimal, kept as written (`1.5`): nothing here computes with one.
    Decimal(String),
    String(String),
    Token(String),
    Bytes(Vec<u8>),
    Boolean(bool),
}

/// Parameters in order of appearance; keys are unique.
pub(super) type Parameters = Vec<(String, BareItem)>;

/// A bare item with its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Item {
    pub(super) bare: BareItem,
    pub(super) parameters: Parameters,
}

/// An inner list: `("a" "b");p=1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct InnerList {
    pub(super) items: Vec<Item>,
    pub(super) parameters: Parameters,
}

/// A dictionary member's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Member {
    Item(Item),
    InnerList(InnerList),
}

/// Parses a whole field value as a dictionary; keys are unique, in order.
///
/// Errors carry a short reason for the log.
pub(super) fn parse_dictionary(input: &str) -> Result<Vec<(String, Member)>, &'static str> {
    let mut parser = Parser {
        input: input.trim_matches(' ').as_bytes(),
        position: 0,
    };
    let mut members: Vec<(String, Member)> = Vec::new();
    while !parser.at_end() {
        let key = parser.key()?;
        let member = if parser.eat(b'=') {
            parser.member_value()?
        } else {
            Member::Item(Item {
                bare: BareItem::Boolean(true),
                parameters: parser.parameters()?,
            })
        };
        if members.iter().any(|(existing, _)| *existing == key) {
            return Err("a dictionary key appears twice");
        }
        if members.len() == MAX_MEMBERS {
            return Err("too many dictionary members");
        }
        members.push((key, member));
        parser.skip_whitespace();
        if parser.at_end() {
            break;
        }
        if !parser.eat(b',') {
            return Err("expected ',' between dictionary members");
        }
        parser.skip_whitespace();
        if parser.at_end() {
            return Err("trailing ',' in a dictionary");
        }
    }
    Ok(members)
}

/// Serialises an inner list as RFC 8941 §4.1.1.1 does (what `@signature-params` is).
pub(super) fn serialize_inner_list(list: &InnerList) -> String {
    let items: Vec<String> = list.items.iter().map(serialize_item).collect();
    format!(
        "({}){}",
        items.join(" "),
        serialize_parameters(&list.parameters)
    )
}

/// Serialises an item and its parameters.
pub(super) fn serialize_item(item: &Item) -> String {
    serialize_bare(&item.bare) + &serialize_parameters(&item.parameters)
}

fn serialize_parameters(parameters: &Parameters) -> String {
    let mut out = String::new();
    for (key, value) in parameters {
        out.push(';');
        out.push_str(key);
        if *value != BareItem::Boolean(true) {
            out.push('=');
            out.push_str(&serialize_bare(value));
        }
    }
    out
}

/// Serialises a bare item. Strings are escaped here; callers only build strings of
/// visible ASCII and space (what the parser accepts).
pub(super) fn serialize_bare(bare: &BareItem) -> String {
    match bare {
        BareItem::Integer(value) => value.to_string(),
        BareItem::Decimal(text) | BareItem::Token(text) => text.clone(),
        BareItem::String(text) => {
            let escaped = text.replace('\\', "\\\\").replace('"', "\\\"");
            format!("\"{escaped}\"")
        }
        BareItem::Bytes(bytes) => format!(":{}:", STANDARD.encode(bytes)),
        BareItem::Boolean(true) => "?1".to_owned(),
        BareItem::Boolean(false) => "?0".to_owned(),
    }
}

struct Parser<'a> {
    input: &'a [u8],
    position: usize,
}

impl Parser<'_> {
    fn at_end(&self) -> bool {
        self.position >= self.input.len()
    }

    fn peek(&self) -> Option<u8> {
        self.input.get(self.position).copied()
    }

    fn eat(&mut self, expected: u8) -> bool {
        let found = self.peek() == Some(expected);
        if found {
            self.position += 1;
        }
        found
    }

    fn skip_spaces(&mut self) {
        while self.eat(b' ') {}
    }

    /// OWS: spaces and tabs (between dictionary members).
    fn skip_whitespace(&mut self) {
        while self.eat(b' ') || self.eat(b'\t') {}
    }

    fn take_while(&mut self, accept: impl Fn(u8) -> bool) -> &str {
        let start = self.position;
        while self.peek().is_some_and(&accept) {
            self.position += 1;
        }
        // Every accepted byte below is ASCII.
        std::str::from_utf8(&self.input[start..self.position]).unwrap_or_default()
    }

    fn key(&mut self) -> Result<String, &'static str> {
        match self.peek() {
            Some(c) if c.is_ascii_lowercase() || c == b'*' => {}
            _ => return Err("expected a key"),
        }
        let key = self
            .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || b"_-.*".contains(&c));
        Ok(key.to_owned())
    }

    fn member_value(&mut self) -> Result<Member, &'static str> {
        if self.peek() == Some(b'(') {
            return Ok(Member::InnerList(self.inner_list()?));
        }
        Ok(Member::Item(self.item()?))
    }

    fn inner_list(&mut self) -> Result<InnerList, &'static str> {
        self.position += 1; // the '('
        let mut items = Vec::new();
        loop {
            self.skip_spaces();
            if self.eat(b')') {
                let parameters = self.parameters()?;
                return Ok(InnerList { items, parameters });
            }
            if items.len() == MAX_ITEMS {
                return Err("too many items in an inner list");
            }
            items.push(self.item()?);
            match self.peek() {
                Some(b' ' | b')') => {}
                _ => return Err("expected ' ' or ')' in an inner list"),
            }
        }
    }

    fn item(&mut self) -> Result<Item, &'static str> {
        let bare = self.bare_item()?;
        let parameters = self.parameters()?;
        Ok(Item { bare, parameters })
    }

    fn parameters(&mut self) -> Result<Parameters, &'static str> {
        let mut parameters: Parameters = Vec::new();
        while self.eat(b';') {
            self.skip_spaces();
            let key = self.key()?;
            let value = if self.eat(b'=') {
                self.bare_item()?
            } else {
                BareItem::Boolean(true)
            };
            if parameters.iter().any(|(existing, _)| *existing == key) {
                return Err("a parameter appears twice");
            }
            if parameters.len() == MAX_PARAMETERS {
                return Err("too many parameters");
            }
            parameters.push((key, value));
        }
        Ok(parameters)
    }

    fn bare_item(&mut self) -> Result<BareItem, &'static str> {
        match self.peek() {
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b'"') => self.string(),
            Some(b':') => self.byte_sequence(),
            Some(b'?') => self.boolean(),
            Some(c) if c.is_ascii_alphabetic() || c == b'*' => Ok(self.token()),
            _ => Err("expected an item"),
        }
    }

    /// RFC 8941 §4.2.4: at most 15 integer digits, or 12 + `.` + 3 for a decimal.
    fn number(&mut self) -> Result<BareItem, &'static str> {
        let negative = self.eat(b'-');
        let integer = self.take_while(|c| c.is_ascii_digit()).to_owned();
        if integer.is_empty() {
            return Err("expected a digit");
        }
        let sign = if negative { "-" } else { "" };
        if !self.eat(b'.') {
            if integer.len() > 15 {
                return Err("integer too long");
            }
            let value: i64 = integer.parse().map_err(|_| "integer out of range")?;
            return Ok(BareItem::Integer(if negative { -value } else { value }));
        }
        let fraction = self.take_while(|c| c.is_ascii_digit()).to_owned();
        if integer.len() > 12 || fraction.is_empty() || fraction.len() > 3 {
            return Err("malformed decimal");
        }
        Ok(BareItem::Decimal(format!("{sign}{integer}.{fraction}")))
    }

    fn string(&mut self) -> Result<BareItem, &'static str> {
        self.position += 1; // the opening '"'
        let mut text = String::new();
        loop {
            match self.peek() {
                None => return Err("unterminated string"),
                Some(b'"') => {
                    self.position += 1;
                    return Ok(BareItem::String(text));
                }
                Some(b'\\') => {
                    self.position += 1;
                    match self.peek() {
                        Some(c @ (b'"' | b'\\')) => text.push(char::from(c)),
                        _ => return Err("invalid escape in a string"),
                    }
                }
                Some(c @ 0x20..=0x7e) => text.push(char::from(c)),
                Some(_) => return Err("invalid character in a string"),
            }
            self.position += 1;
        }
    }

    fn token(&mut self) -> BareItem {
        let token =
            self.take_while(|c| c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~:/".contains(&c));
        BareItem::Token(token.to_owned())
    }

    fn byte_sequence(&mut self) -> Result<BareItem, &'static str> {
        self.position += 1; // the opening ':'
        let encoded = self
            .take_while(|c| c.is_ascii_alphanumeric() || b"+/=".contains(&c))
            .to_owned();
        if !self.eat(b':') {
            return Err("unterminated byte sequence");
        }
        let bytes = LENIENT_BASE64
            .decode(encoded)
            .map_err(|_| "byte sequence is not base64")?;
        Ok(BareItem::Bytes(bytes))
    }

    fn boolean(&mut self) -> Result<BareItem, &'static str> {
        self.position += 1; // the '?'
        if self.eat(b'1') {
            return Ok(BareItem::Boolean(true));
        }
        if self.eat(b'0') {
            return Ok(BareItem::Boolean(false));
        }
        Err("invalid boolean")
    }
}
