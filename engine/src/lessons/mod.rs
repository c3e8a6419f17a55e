//! Lessons: guided exercises played against a [`Cluster`](crate::Cluster).
//!
//! A lesson is one YAML file (`lessons/*.yaml`, every locale inside it): setup, then steps,
//! each with text, a goal the engine checks, hints and a reference solution.
//!
//! - [`parse`] reads a lesson file into a [`Lesson`] (errors name the file and line);
//!   [`builtin`] gives the lessons shipped with Kubeplay, ordered.
//! - [`LessonRun`] plays one: [`LessonRun::start`] builds its cluster, then the front end
//!   calls [`LessonRun::run_line`] (or [`LessonRun::after_command`]) for each console line
//!   and [`LessonRun::after_tick`] after each [`Cluster::advance`](crate::Cluster::advance);
//!   [`LessonRun::checklist`] is the live goal list, with why each goal is not met yet.
//! - [`check`] is the linter `kubeplay lessons check` runs: parse, locales, manifests, and a
//!   replay of the reference solution.

mod check;
mod format;
mod goals;
mod history;
mod run;
mod yaml;

#[cfg(test)]
mod tests;

use crate::sort::SliceSort;
use std::collections::BTreeMap;

pub use check::{check, check_text, LessonReport};
pub use format::{parse, Lesson, LessonError, Setup, SetupFile, Step};
pub use goals::{Goal, GoalLine};
pub use run::{LessonRun, Progress};

/// The locales every text of a lesson must have, in display order.
pub const LOCALES: &[&str] = &["ko", "en"];

/// A text in every locale.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Text(pub BTreeMap<String, String>);

impl Text {
    /// The text in `locale`, else English, else any.
    pub fn get(&self, locale: &str) -> &str {
        self.0
            .get(locale)
            .or_else(|| self.0.get("en"))
            .or_else(|| self.0.values().next())
            .map_or("", String::as_str)
    }

    /// A text from its Korean and English forms.
    pub(crate) fn ko_en(ko: impl Into<String>, en: impl Into<String>) -> Text {
        Text(BTreeMap::from([
            ("ko".to_string(), ko.into()),
            ("en".to_string(), en.into()),
        ]))
    }
}

/// The lessons shipped with Kubeplay (`crate::bundle`: none on the page until `bundle.json`
/// is installed), ordered by `order`. A file that does not parse is left out (the test
/// suite's `lessons check` keeps that from happening).
pub fn builtin() -> Vec<Lesson> {
    let mut lessons: Vec<Lesson> = builtin_files()
        .iter()
        .filter_map(|(file, text)| parse(file, text).ok())
        .collect();
    sort(&mut lessons);
    lessons
}

/// The shipped lesson files as (file name, text), for a caller that parses them a few at a
/// time (the page, between frames); [`sort`] then orders them as [`builtin`] does.
pub fn builtin_files() -> Vec<(&'static str, &'static str)> {
    crate::bundle::lesson_files()
}

/// Orders lessons as the course runs (`order`, then id).
pub fn sort(lessons: &mut [Lesson]) {
    lessons.stable_sort_by_key(|l| (l.order, l.id.clone()));
}

/// The closest of `candidates` to `word` (edit distance ≤ 2), for "did you mean" hints.
pub(crate) fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| {
            let d = crate::api::manifest::edit_distance(
                &word.to_ascii_lowercase(),
                &c.to_ascii_lowercase(),
            );
            (d, c)
        })
        .filter(|(d, c)| *d <= 2.min(c.len() / 2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}
