//! The rules of a poll's shape, free of HTTP and SQL: how many options, how long each
//! may be, how long a poll may run (Mastodon's defaults, shown in the instance's
//! `configuration.polls`), and which choices a vote may make.
//!
//! Spec: <https://docs.joinmastodon.org/methods/statuses/#create> (`poll[...]`),
//! <https://docs.joinmastodon.org/methods/polls/#vote>.

use std::collections::HashSet;

/// Most options a local poll may have.
pub const MAX_OPTIONS: usize = 4;
/// Longest option, in characters.
pub const MAX_CHARACTERS_PER_OPTION: usize = 50;
/// Shortest duration, in seconds.
pub const MIN_EXPIRATION: i64 = 300;
/// Longest duration, in seconds (a month).
pub const MAX_EXPIRATION: i64 = 2_629_746;
/// Most options kept of a remote poll (the table allows 100).
pub const MAX_REMOTE_OPTIONS: usize = 20;
/// Longest remote option kept, in bytes.
pub const MAX_REMOTE_OPTION_BYTES: usize = 500;

/// A poll as a local author asked for it, before the rules.
#[derive(Clone, Debug, Default)]
pub struct PollRequest<'a> {
    /// The options' titles, in order.
    pub options: &'a [String],
    /// Seconds until it ends.
    pub expires_in: Option<i64>,
    /// Whether a voter may choose several options.
    pub multiple: bool,
    /// Whether counts stay hidden until it ends.
    pub hide_totals: bool,
}

/// A poll that passed the rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidPoll {
    /// The options' titles, trimmed, in order.
    pub options: Vec<String>,
    /// Seconds until it ends.
    pub expires_in: i64,
    /// Whether a voter may choose several options.
    pub multiple: bool,
    /// Whether counts stay hidden until it ends.
    pub hide_totals: bool,
}

/// Why a poll or a vote breaks the rules, with Mastodon's messages.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PollRuleError {
    #[error("Poll options must have more than one item")]
    TooFewOptions,
    #[error("Poll options can't contain more than {MAX_OPTIONS} items")]
    TooManyOptions,
    #[error("Poll options contain duplicate items")]
    DuplicateOptions,
    #[error("Poll options cannot be longer than {MAX_CHARACTERS_PER_OPTION} characters each")]
    OptionTooLong,
    #[error("Poll expires at is too soon")]
    TooShort,
    #[error("Poll expires at is too far into the future")]
    TooLong,
    #[error("The chosen vote option does not exist")]
    InvalidChoice,
    #[error("This poll allows only one choice")]
    SingleChoice,
}

impl PollRequest<'_> {
    /// The poll, if it keeps the rules (checked in Mastodon's order).
    pub fn validate(&self) -> Result<ValidPoll, PollRuleError> {
        let options: Vec<String> = self.options.iter().map(|o| o.trim().to_owned()).collect();
        if options.len() < 2 || options.iter().any(String::is_empty) {
            return Err(PollRuleError::TooFewOptions);
        }
        if options.len() > MAX_OPTIONS {
            return Err(PollRuleError::TooManyOptions);
        }
        let distinct: HashSet<&str> = options.iter().map(String::as_str).collect();
        if distinct.len() != options.len() {
            return Err(PollRuleError::DuplicateOptions);
        }
        if options
            .iter()
            .any(|o| o.chars().count() > MAX_CHARACTERS_PER_OPTION)
        {
            return Err(PollRuleError::OptionTooLong);
        }
        let expires_in = self.expires_in.unwrap_or(0);
        if expires_in < MIN_EXPIRATION {
            return Err(PollRuleError::TooShort);
        }
        if expires_in > MAX_EXPIRATION {
            return Err(PollRuleError::TooLong);
        }
        Ok(ValidPoll {
            options,
            expires_in,
            multiple: self.multiple,
            hide_totals: self.hide_totals,
        })
    }
}

/// The distinct choices of a vote (`choices[]`) on a poll of `option_count` options,
/// sorted. Errors: a choice that is no option's index, or several on a single-choice
/// poll.
pub fn choices(
    raw: &[String],
    option_count: usize,
    multiple: bool,
) -> Result<Vec<i32>, PollRuleError> {
    let mut chosen = Vec::with_capacity(raw.len().min(option_count));
    for choice in raw {
        let index: usize = choice
            .trim()
            .parse()
            .map_err(|_| PollRuleError::InvalidChoice)?;
        if index >= option_count {
            return Err(PollRuleError::InvalidChoice);
        }
        let index = i32::try_from(index).map_err(|_| PollRuleError::InvalidChoice)?;
        if !chosen.contains(&index) {
            chosen.push(index);
        }
    }
    if chosen.is_empty() {
        return Err(PollRuleError::InvalidChoice);
    }
    if chosen.len() > 1 && !multiple {
        return Err(PollRuleError::SingleChoice);
    }
    chosen.sort_unstable();
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| (*n).to_owned()).collect()
    }

    fn request(names: &[String], expires_in: i64) -> PollRequest<'_> {
        PollRequest {
            options: names,
            expires_in: Some(expires_in),
            ..PollRequest::default()
        }
    }

    #[test]
    fn a_poll_needs_two_to_four_distinct_short_options_and_a_sane_duration() {
        let good = options(&["yes", "no"]);
        assert!(request(&good, 300).validate().is_ok());
        let cases = [
            (options(&["only"]), 300, PollRuleError::TooFewOptions),
            (options(&["a", " "]), 300, PollRuleError::TooFewOptions),
            (
                options(&["a", "b", "c", "d", "e"]),
                300,
                PollRuleError::TooManyOptions,
            ),
            (options(&["a", "a "]), 300, PollRuleError::DuplicateOptions),
            (
                vec!["x".repeat(51), "b".into()],
                300,
                PollRuleError::OptionTooLong,
            ),
            (good.clone(), 299, PollRuleError::TooShort),
            (good.clone(), MAX_EXPIRATION + 1, PollRuleError::TooLong),
        ];
        for (names, expires_in, error) in cases {
            assert_eq!(request(&names, expires_in).validate(), Err(error));
        }
    }

    #[test]
    fn a_vote_names_existing_options_and_one_unless_multiple() {
        let two = options(&["1", "0", "1"]);
        assert_eq!(choices(&two, 2, true), Ok(vec![0, 1]));
        assert_eq!(choices(&two, 2, false), Err(PollRuleError::SingleChoice));
        assert_eq!(
            choices(&options(&["2"]), 2, false),
            Err(PollRuleError::InvalidChoice)
        );
        assert_eq!(
            choices(&options(&["-1"]), 2, false),
            Err(PollRuleError::InvalidChoice)
        );
        assert_eq!(choices(&[], 2, false), Err(PollRuleError::InvalidChoice));
    }
}
