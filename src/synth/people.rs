//! Invented people, places and parties for synthetic notices.
//!
//! Every name, street, town and postcode here is made up; none is taken
//! from a real notice. Postcodes follow the UK grammar (outward code, space,
//! digit and two letters) with invented area letters, so a detector treats
//! them like real ones. Everything is drawn from a seeded [`fastrand::Rng`],
//! so a seed always gives the same people.

use super::notice::{Address, Candidate, Home, PollingStation, Post, Redaction};

const SURNAMES: &[&str] = &[
    "WHITLOCK",
    "ABERNETHY",
    "QUILLAN",
    "FARRANT",
    "DELACOURT",
    "MOSSOP",
    "TREGENNA",
    "OYELARAN",
    "BRIGHTWELL",
    "KASPRZAK",
    "LINDQVIST",
    "MACALDOWIE",
    "PENHALIGON",
    "SOUTHERDEN",
    "VARNEY",
    "ACHTERBERG",
    "CROWHURST",
    "ELLENDER",
    "GODSALVE",
    "HARTIGAN",
    "IBBOTSON",
    "JESSOPP",
    "KILLINGBECK",
    "LOVEGROVE",
    "MERRIWEATHER",
    "NETTLEFOLD",
    "O'FLAHERTY",
    "PRIDEAUX",
    "RAINSFORD",
    "STONEHOUSE",
    "THRELFALL",
    "UNDERHAY",
    "VOSPER",
    "WILLOUGHBY-KNOX",
    "YARDLEY",
    "ZIELINSKA",
];

const GIVEN_NAMES: &[&str] = &[
    "Maryanne",
    "Tobias",
    "Ifeoma",
    "Callum",
    "Rosalind",
    "Dariusz",
    "Zoë",
    "Hamish",
    "Priyanka",
    "Ewan",
    "Lowenna",
    "Bartholomew",
    "Siân",
    "Oluwaseun",
    "Margery",
    "Fenella",
    "Idris",
    "Benedikt",
    "Clementine",
    "Rhodri",
    "Anouk",
    "Leopold",
    "Niamh",
    "Thaddeus",
    "Wilhelmina",
    "Kwabena",
    "Perpetua",
    "Aurelio",
];

const STREET_NAMES: &[&str] = &[
    "Quenby",
    "Larkspur",
    "Tanners",
    "Cobbold",
    "Ferrier",
    "Marlow",
    "Pennycress",
    "Gillow",
    "Harebell",
    "Osprey",
    "Wychwood",
    "Bramling",
    "Hollins",
    "Sedgewick",
    "Ashdown",
    "Tolland",
];

const STREET_TYPES: &[&str] = &[
    "Road", "Street", "Lane", "Avenue", "Close", "Crescent", "Drive", "Grove", "Terrace", "Way",
];

const HOUSE_NAMES: &[&str] = &[
    "Rowan Cottage",
    "The Old Forge",
    "Beckside House",
    "Meadowbank",
    "Wren Lodge",
];

const BLOCK_NAMES: &[&str] = &["Gillow House", "Ferrier Court", "Osprey Mansions"];

/// An invented town with its invented postcode area.
#[derive(Clone, Copy)]
struct Town {
    name: &'static str,
    district: &'static str,
    area: &'static str,
}

const TOWNS: &[Town] = &[
    Town {
        name: "Northbury",
        district: "Eastgate",
        area: "NB",
    },
    Town {
        name: "Lowther Vale",
        district: "Mill End",
        area: "LV",
    },
    Town {
        name: "Castlemere",
        district: "Upper Haddon",
        area: "CQ",
    },
    Town {
        name: "Saltmarsh",
        district: "Quayside",
        area: "SQ",
    },
];

const DESCRIPTIONS: &[&str] = &[
    "Independent",
    "Green Party",
    "Labour Party",
    "Liberal Democrats",
    "Conservative Party Candidate",
    "Reform UK",
    "",
];

const WARD_NAMES: &[&str] = &[
    "Appleford",
    "Brackenhill",
    "Cinderford Lane",
    "Dunmere",
    "Elmstead",
    "Foxhollow",
    "Greystone",
    "Hazelmere",
    "Ivybridge North",
    "Juniper",
    "Kestrel Park",
    "Longmeadow",
    "Marshfield",
    "Netherby",
    "Orchard",
    "Pinfold",
    "Quarry Hill",
    "Riverside",
    "Sandpit",
    "Thornbury East",
];

const VENUES: &[&str] = &[
    "St Aidan's Church Hall",
    "Brackenhill Community Centre",
    "Mobile Polling Station, Pinfold Green",
    "Longmeadow Primary School",
    "Scout Hut, Kestrel Park",
];

/// Draws invented people and places from a seeded generator.
pub struct People {
    rng: fastrand::Rng,
}

impl People {
    /// A generator whose output depends only on `seed`.
    pub fn new(seed: u64) -> People {
        People {
            rng: fastrand::Rng::with_seed(seed),
        }
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.rng.usize(..items.len())]
    }

    /// A postcode in `town`'s invented area, e.g. `NB4 7QT`.
    fn postcode(&mut self, area: &str) -> String {
        const INWARD: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";
        let inward_a = char::from(self.pick(INWARD));
        let inward_b = char::from(self.pick(INWARD));
        format!(
            "{area}{} {}{inward_a}{inward_b}",
            self.rng.u8(1..=19),
            self.rng.u8(0..=9)
        )
    }

    /// An invented home address: a numbered street, a named house or a flat.
    pub fn address(&mut self) -> Address {
        let town = &TOWNS[self.rng.usize(..TOWNS.len())];
        let street = format!("{} {}", self.pick(STREET_NAMES), self.pick(STREET_TYPES));
        let mut lines = match self.rng.u8(0..3) {
            0 => vec![format!("{} {street}", self.rng.u16(1..=240))],
            1 => vec![self.pick(HOUSE_NAMES).to_owned(), street],
            _ => vec![
                format!("Flat {} {}", self.rng.u8(1..=40), self.pick(BLOCK_NAMES)),
                street,
            ],
        };
        lines.push(town.district.to_owned());
        lines.push(town.name.to_owned());
        Address {
            lines,
            postcode: self.postcode(town.area),
        }
    }

    /// The area a withheld address names, e.g. `Northbury`.
    pub fn area(&mut self) -> &'static str {
        self.pick(TOWNS).name
    }

    /// An invented candidate; `published_share` of them publish an address.
    pub fn candidate(&mut self, published_share: f32, withheld_wording: &str) -> Candidate {
        let other_names = if self.rng.bool() {
            format!("{} {}", self.pick(GIVEN_NAMES), self.pick(GIVEN_NAMES))
        } else {
            self.pick(GIVEN_NAMES).to_owned()
        };
        let home = if self.rng.f32() < published_share {
            Home::Published(self.address())
        } else {
            Home::Withheld(withheld_wording.replace("{area}", self.area()))
        };
        Candidate {
            surname: self.pick(SURNAMES).to_owned(),
            other_names,
            home,
            description: self.pick(DESCRIPTIONS).to_owned(),
            withdrawn: self.rng.u8(0..12) == 0,
            signatories: (0..2).map(|_| self.signatory()).collect(),
            redaction: Redaction::None,
        }
    }

    /// A subscriber's name as nomination papers print it: `Callum J Varney`.
    fn signatory(&mut self) -> String {
        let surname = self.pick(SURNAMES);
        let mut title_case = surname[..1].to_owned();
        title_case.push_str(&surname[1..].to_lowercase());
        format!(
            "{} {} {title_case}",
            self.pick(GIVEN_NAMES),
            char::from(self.rng.u8(b'A'..=b'Z'))
        )
    }

    /// A post (ward) with `count` candidates sorted by surname, as notices
    /// list them, and a few polling stations.
    pub fn post(
        &mut self,
        index: usize,
        count: usize,
        published_share: f32,
        withheld_wording: &str,
    ) -> Post {
        let mut candidates: Vec<Candidate> = (0..count)
            .map(|_| self.candidate(published_share, withheld_wording))
            .collect();
        candidates.sort_by(|a, b| a.surname.cmp(&b.surname));
        let stations = (0..self.rng.usize(2..=4))
            .map(|number| PollingStation {
                venue: format!("{}, {}", self.pick(VENUES), self.pick(STREET_NAMES)),
                number: (index * 10 + number + 1) as u32,
            })
            .collect();
        Post {
            name: WARD_NAMES[index % WARD_NAMES.len()].to_owned(),
            candidates,
            polling_stations: stations,
        }
    }

    /// A number in `range`, from the same stream.
    pub fn number(&mut self, range: std::ops::RangeInclusive<usize>) -> usize {
        self.rng.usize(range)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_people() {
        let a = People::new(7).candidate(0.5, "(address in {area})");
        let b = People::new(7).candidate(0.5, "(address in {area})");
        assert_eq!(a, b);
    }

    #[test]
    fn postcodes_have_the_uk_shape() {
        let mut people = People::new(3);
        for _ in 0..200 {
            let postcode = people.address().postcode;
            let (outward, inward) = postcode.split_once(' ').expect("space");
            assert!(outward.len() >= 3 && outward.len() <= 4, "{postcode}");
            assert!(outward.as_bytes()[..2].iter().all(u8::is_ascii_uppercase));
            let inward = inward.as_bytes();
            assert_eq!(inward.len(), 3, "{postcode}");
            assert!(inward[0].is_ascii_digit() && inward[1..].iter().all(u8::is_ascii_uppercase));
        }
    }
}
