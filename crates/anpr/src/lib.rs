//! ANPR under Art. 13: reference data (hotlists) compared automatically with camera reads.
//!
//! - [`plate`]: plates as cameras and officers write them — normalised (case, separators,
//!   spacing), packed into 64 bits, and checked against the formats of BE, NL, LU, FR and DE.
//! - [`matcher`]: the in-memory matcher: exact and look-alike matches (0/O/D/Q, 1/I, 2/Z, 5/S,
//!   8/B, 6/G by default, one confusion by default) with one table probe per read.
//! - [`read`]: camera reads from CSV or JSON Lines.
//! - [`synthetic`]: generated plates and reads for tests and `grens bench anpr`.
//!
//! A read that matches nothing leaves no trace here: the matcher returns an empty answer and
//! keeps nothing about the read.

pub mod matcher;
pub mod plate;
pub mod read;
pub mod synthetic;

pub use matcher::{Groups, Hit, Matcher};
pub use plate::{Plate, PlateError};
pub use read::{Read, ReadError};
