//! Realistic status text for B11: 200–500 characters of sentences with links,
//! mentions of the dataset's users, hashtags, line breaks, a few characters HTML must
//! escape and some non-ASCII words, drawn from a seeded generator so every run loads
//! the same statuses. What the generator writes is what a user would type; the
//! loader renders it with Roost's own status text rendering.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::Rng;

/// Words of the sentences, with a few that HTML escaping and grapheme counting notice.
const WORDS: &[&str] = &[
    "the",
    "a",
    "and",
    "of",
    "to",
    "in",
    "is",
    "it",
    "that",
    "for",
    "on",
    "with",
    "as",
    "was",
    "this",
    "at",
    "by",
    "from",
    "but",
    "not",
    "or",
    "have",
    "be",
    "are",
    "we",
    "you",
    "they",
    "just",
    "really",
    "finally",
    "today",
    "yesterday",
    "tomorrow",
    "morning",
    "evening",
    "weekend",
    "project",
    "release",
    "server",
    "instance",
    "timeline",
    "garden",
    "coffee",
    "train",
    "bicycle",
    "library",
    "kitchen",
    "river",
    "mountain",
    "city",
    "music",
    "album",
    "concert",
    "book",
    "chapter",
    "photo",
    "camera",
    "light",
    "winter",
    "autumn",
    "rain",
    "sunshine",
    "bread",
    "soup",
    "friends",
    "neighbours",
    "meeting",
    "deadline",
    "bug",
    "fix",
    "patch",
    "review",
    "thread",
    "question",
    "answer",
    "idea",
    "plan",
    "update",
    "version",
    "feature",
    "community",
    "moderation",
    "federation",
    "protocol",
    "design",
    "colour",
    "interesting",
    "wonderful",
    "terrible",
    "quiet",
    "busy",
    "small",
    "large",
    "new",
    "old",
    "quick",
    "slow",
    "beautiful",
    "strange",
    "simple",
    "careful",
    "honest",
    "late",
    "early",
    "walked",
    "cooked",
    "wrote",
    "read",
    "built",
    "found",
    "tried",
    "learned",
    "shipped",
    "watched",
    "listened",
    "planted",
    "painted",
    "fixed",
    "broke",
    "noticed",
    "shared",
    "café",
    "naïve",
    "über",
    "façade",
    "東京",
    "🎉",
    "🌧️",
    "👍🏽",
    "R&D",
    "<3",
    "Q&A",
    "\"quoted\"",
    "it's",
    "don't",
];

/// Hashtags (as written; Roost stores them lowercased).
pub const TAGS: &[&str] = &[
    "Fediverse",
    "Mastodon",
    "ActivityPub",
    "Rust",
    "OpenSource",
    "SelfHosting",
    "Linux",
    "Photography",
    "Caturday",
    "SilentSunday",
    "Music",
    "NowPlaying",
    "Books",
    "Reading",
    "Gardening",
    "Cooking",
    "Baking",
    "Coffee",
    "Travel",
    "Cycling",
    "Hiking",
    "Birds",
    "Nature",
    "Climate",
    "Science",
    "Space",
    "History",
    "Art",
    "Drawing",
    "Knitting",
    "Programming",
    "WebDev",
    "Databases",
    "PostgreSQL",
    "Security",
    "Privacy",
    "Accessibility",
    "AltText",
    "Introduction",
    "Poetry",
    "Film",
    "Gaming",
    "Running",
    "Weather",
    "Food",
    "Design",
    "Typography",
    "Maps",
    "Trains",
    "Cities",
];

/// Link prefixes; a slug and sometimes a query string follow.
const SITES: &[&str] = &[
    "https://www.example.com/articles/2026/11/",
    "https://blog.example.org/posts/",
    "https://news.example.net/world/europe/",
    "https://git.example.dev/roost/roost/-/merge_requests/",
    "https://video.example.tv/watch?v=",
    "https://en.example.org/wiki/",
];

/// Alt texts of media attachments.
pub const ALT_TEXTS: &[&str] = &[
    "A grey cat asleep on a stack of books next to a window with rain on it.",
    "A loaf of sourdough bread on a wooden board, cut open.",
    "A mountain lake at sunrise, mist over the water and pine trees on the shore.",
    "Screenshot of a terminal showing a passing test suite.",
    "A crowded train platform in the evening, lights reflecting on wet concrete.",
];

/// Sizes of status text, in characters (before trimming).
pub const MIN_CHARACTERS: usize = 200;
pub const MAX_CHARACTERS: usize = 500;

/// One status's text. `users` is the number of dataset users (`bench1` …
/// `bench{users}`), some of whom it mentions.
pub fn status(rng: &mut StdRng, users: i64) -> String {
    let mentions = pick_count(rng, &[0.45, 0.35, 0.15, 0.05]);
    let links = pick_count(rng, &[0.35, 0.5, 0.15]);
    let tags = pick_count(rng, &[0.3, 0.35, 0.2, 0.15]);
    let prefix: Vec<String> = (0..mentions)
        .map(|_| format!("@bench{}", rng.gen_range(1..=users.max(1))))
        .collect();
    let links: Vec<String> = (0..links).map(|_| link(rng)).collect();
    let tail: Vec<String> = TAGS
        .choose_multiple(rng, tags)
        .map(|tag| format!("#{tag}"))
        .collect();
    // Mentions open the text (as a reply would), tags close it, links sit in the body.
    let fixed: usize = prefix
        .iter()
        .chain(&links)
        .chain(&tail)
        .map(|p| p.chars().count() + 2)
        .sum();
    // The longest word is short, so the text ends within a word of the target.
    let target = rng.gen_range(MIN_CHARACTERS..=MAX_CHARACTERS - 40);
    let body = sentences(rng, target.saturating_sub(fixed).max(40), &links);
    let mut text = prefix.join(" ");
    if !text.is_empty() {
        text.push(' ');
    }
    text.push_str(&body);
    if !tail.is_empty() {
        text.push_str(if rng.gen_bool(0.5) { "\n\n" } else { " " });
        text.push_str(&tail.join(" "));
    }
    text
}

/// Sentences of about `length` characters (not counting the links), with `links`
/// placed after some of them and a paragraph break now and then.
fn sentences(rng: &mut StdRng, length: usize, links: &[String]) -> String {
    let mut text = String::new();
    let mut links = links.iter();
    let mut words_in_sentence = 0;
    let mut sentence_length = rng.gen_range(6..16);
    let mut written = 0;
    while written < length {
        let word = WORDS.choose(rng).copied().unwrap_or("word");
        written += word.chars().count() + 1;
        if words_in_sentence == 0 {
            let mut chars = word.chars();
            if let Some(first) = chars.next() {
                text.extend(first.to_uppercase());
                text.push_str(chars.as_str());
            }
        } else {
            text.push(' ');
            text.push_str(word);
        }
        words_in_sentence += 1;
        if words_in_sentence == sentence_length {
            text.push_str([".", ".", "!", "?"].choose(rng).copied().unwrap_or("."));
            if rng.gen_bool(0.6) {
                if let Some(link) = links.next() {
                    text.push(' ');
                    text.push_str(link);
                }
            }
            text.push_str(if rng.gen_bool(0.15) { "\n\n" } else { " " });
            words_in_sentence = 0;
            sentence_length = rng.gen_range(6..16);
        }
    }
    for link in links {
        text.push(' ');
        text.push_str(link);
    }
    text.trim_end().to_owned()
}

fn link(rng: &mut StdRng) -> String {
    let site = SITES.choose(rng).copied().unwrap_or(SITES[0]);
    let words = rng.gen_range(2..7);
    let slug: Vec<&str> = WORDS
        .iter()
        .filter(|w| w.chars().all(|c| c.is_ascii_lowercase()))
        .copied()
        .collect::<Vec<_>>()
        .choose_multiple(rng, words)
        .copied()
        .collect();
    let mut url = format!("{site}{}", slug.join("-"));
    if rng.gen_bool(0.3) {
        url.push_str(&format!(
            "?utm_source=mastodon&ref={}",
            rng.gen_range(1..10_000)
        ));
    }
    url
}

/// How many, with `weights[k]` the chance of `k`.
fn pick_count(rng: &mut StdRng, weights: &[f64]) -> usize {
    let mut roll: f64 = rng.gen();
    for (count, weight) in weights.iter().enumerate() {
        if roll < *weight {
            return count;
        }
        roll -= weight;
    }
    weights.len().saturating_sub(1)
}

/// How many media attachments a status gets: none for three in four, then one to four.
pub fn media_count(rng: &mut StdRng) -> usize {
    pick_count(rng, &[0.75, 0.15, 0.05, 0.025, 0.025])
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn statuses_are_a_few_hundred_characters_with_links_mentions_and_tags() {
        let mut rng = StdRng::seed_from_u64(1);
        let texts: Vec<String> = (0..5000).map(|_| status(&mut rng, 1000)).collect();
        for text in &texts {
            let length = text.chars().count();
            assert!(
                (MIN_CHARACTERS - 10..=MAX_CHARACTERS + 10).contains(&length),
                "{length}: {text}"
            );
            // Within the status length limit, so posting it through the API succeeds.
            let counted = roost::domain::status_text::character_count(text);
            assert!(counted <= MAX_CHARACTERS, "{counted}: {text}");
        }
        assert!(texts.iter().filter(|t| t.contains("https://")).count() > 2500);
        assert!(texts.iter().filter(|t| t.contains("@bench")).count() > 2000);
        assert!(texts.iter().filter(|t| t.contains('#')).count() > 2500);
    }
}
