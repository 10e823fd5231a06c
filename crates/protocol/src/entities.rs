//! The POLE model (Person, Object, Location, Event) of the EU's Universal Message Format, as
//! far as grens needs it. A request or provision concerns one or more of these (Art. 4(5)).

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// A natural person.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Person {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub given_names: Vec<String>,
    pub surname: String,
    /// YYYY-MM-DD.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Date)]
    pub birth_date: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_place: Option<String>,
    /// ISO 3166 alpha-2 codes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nationalities: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
}

/// What kind of object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    Vehicle,
    Document,
    Firearm,
    Other,
}

/// An object: a vehicle (plate, VIN), a document (number), a firearm (serial number), …
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = PoleObject)]
pub struct Object {
    pub kind: ObjectKind,
    /// The main identifier: plate, document number, serial number.
    pub identifier: String,
    /// Country of registration or issue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Location {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latitude: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub longitude: Option<f64>,
}

/// An event: an offence or incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Event {
    pub description: String,
    /// RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub occurred_at: Option<jiff::Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

/// [`Object`] under the name the OpenAPI document gives it: a bare `Object` is utoipa's word
/// for a free-form object.
pub type PoleObject = Object;

/// One subject of a request or provision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Subject {
    Person(Person),
    Object(PoleObject),
    Location(Location),
    Event(Event),
}
