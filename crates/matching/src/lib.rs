//! Matching for hit/no-hit queries (Art. 14): names in any of the spellings these services meet
//! and birth dates with the usual errors, scored with reasons, in clear or pseudonymised form.
//!
//! - [`normalize`]: transliteration, diacritics, language specifics, particles.
//! - [`phonetic`]: a phonetic key per name word.
//! - [`dates`]: birth-date tolerance (swapped day and month, one wrong digit, missing).
//! - [`index`]: the index of hashed match keys and its scored queries.
//! - [`generate`]: synthetic national databases and labelled query sets.

pub mod csv;
pub mod dates;
pub mod generate;
pub mod index;
pub mod normalize;
pub mod phonetic;

pub use index::{Grade, Index, Match, Person, Protection, Query, HIT_THRESHOLD, MAX_HITS};
