//! `grens treaty coverage`: every article of Titles 2–7 with the rules and tests that
//! implement it, or why there is nothing for a system to decide.

use crate::rules::KINDS;

include!(concat!(env!("OUT_DIR"), "/tests_by_article.rs"));

/// The articles of Titles 2–7 with their titles (Dutch text's headings, in English).
pub const ARTICLES: &[(u32, &str)] = &[
    (4, "Purpose of the exchange"),
    (5, "Databases"),
    (6, "Channels for the exchange"),
    (7, "Protection of personal data"),
    (8, "Confidentiality"),
    (9, "Onward transfer to other public authorities"),
    (10, "Purpose limitation and further processing"),
    (11, "Modalities of consent"),
    (12, "Manner of information exchange"),
    (13, "Reference data for automated number-plate comparison"),
    (14, "Hit/no-hit queries of police databases"),
    (15, "Consultation at a joint police post"),
    (16, "Consultation during mixed patrols and joint checks"),
    (17, "Consultation of population and other public registers"),
    (18, "Assistance with personnel and equipment"),
    (19, "Intervention on own initiative"),
    (20, "Mixed patrols and joint checks"),
    (21, "Cross-border hot pursuit"),
    (22, "Cross-border observation"),
    (23, "Cross-border investigation"),
    (24, "Execution of cross-border investigation"),
    (25, "Cross-border transport and escort of persons and goods"),
    (26, "Operations on international trains and ships"),
    (27, "Liaison officers"),
    (28, "Shared use of liaison officers"),
    (29, "Joint analysis and evaluation mechanisms"),
    (30, "Joint police centres"),
    (31, "Training, resources and equipment"),
    (32, "Passage and transit"),
    (33, "Urgent requests to secure traces or evidence"),
    (34, "Authority"),
    (35, "Treaty basis of the sending officers' powers"),
    (36, "General powers"),
    (37, "Powers to maintain public order and security"),
    (38, "Powers in urgent situations"),
    (39, "Carrying weapons and ammunition"),
    (40, "Use of force"),
    (
        41,
        "Deprivation of liberty and seizure during escort, transport and transit",
    ),
    (42, "Use of vehicles"),
    (43, "Identification"),
    (44, "Recognisability"),
    (45, "Take-over and termination"),
    (46, "Report"),
    (47, "Assistance clause"),
    (48, "Civil liability"),
    (49, "Criminal liability"),
    (50, "Employment relationship"),
    (51, "Costs"),
    (52, "Scope (special units)"),
    (53, "Assistance in crisis situations"),
    (54, "Assistance outside crisis situations"),
    (55, "Hot pursuit by special units"),
    (56, "Training and exercises (special units)"),
    (57, "Other operations and presence of special units"),
    (58, "Weapons and ammunition (special units)"),
    (59, "Use of force (special units)"),
    (60, "Civil and criminal liability (special units)"),
    (61, "Exception clause"),
    (62, "Implementing agreements and arrangements"),
    (63, "Settlement of disputes"),
    (64, "Benelux Court of Justice"),
    (65, "Evaluation"),
    (66, "Entry into force, duration, amendment and denunciation"),
    (67, "Territorial scope"),
];

/// Articles with nothing for a system to decide, and why. Everything else must have a rule.
pub const NOTHING_TO_DECIDE: &[(u32, &str)] = &[
    (28, "shared use of liaison officers in third countries is arranged between governments; exchanges through a liaison officer are routed by Art. 6(5) (exchange.channel)"),
    (29, "joint analysis of crime phenomena is a policy activity; grens supplies its statistics (Art. 65 report) but decides nothing"),
    (31, "training, exchange of equipment and joint procurement are organisational; no officer action depends on them"),
    (42, "vehicles, lights and sirens follow host law (42), which the system cannot know; the powers panel shows the rule"),
    (44, "uniform, armband and marked vehicle are physical duties whose exception depends on the operation's nature, judged by the officers"),
    (47, "the host's duty to protect and assist sending officers is owed by people on the ground, not decided by a system"),
    (49, "criminal-law equality of sending and host officers is for the courts"),
    (50, "employment rights stay with the sending state; nothing to decide between nodes"),
    (51, "each party bears its own costs unless agreed otherwise; no decision between nodes"),
    (56, "training and joint exercises of special units are organisational"),
    (63, "disputes go to a consultative committee and then diplomatic channels"),
    (64, "the Benelux Court's jurisdiction is for courts, not for a system"),
];

/// One line of the coverage report.
#[derive(Debug, Clone)]
pub struct ArticleCoverage {
    pub article: u32,
    pub title: &'static str,
    pub kinds: Vec<&'static str>,
    pub tests: Vec<&'static str>,
    pub nothing_to_decide: Option<&'static str>,
}

impl ArticleCoverage {
    pub fn implemented(&self) -> bool {
        !self.kinds.is_empty()
    }
}

/// The coverage of every article of Titles 2–7.
pub fn report() -> Vec<ArticleCoverage> {
    ARTICLES
        .iter()
        .map(|(article, title)| ArticleCoverage {
            article: *article,
            title,
            kinds: KINDS
                .iter()
                .filter(|k| k.articles.contains(article))
                .map(|k| k.name)
                .collect(),
            tests: TESTS_BY_ARTICLE
                .iter()
                .filter(|(a, _)| a == article)
                .map(|(_, t)| *t)
                .collect(),
            nothing_to_decide: NOTHING_TO_DECIDE
                .iter()
                .find(|(a, _)| a == article)
                .map(|(_, why)| *why),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_article_is_implemented_or_justified() {
        for a in report() {
            assert!(
                a.implemented() || a.nothing_to_decide.is_some(),
                "Art. {} ({}) has neither a rule nor a justification",
                a.article,
                a.title
            );
        }
    }

    #[test]
    fn every_implemented_article_has_a_test_named_after_it() {
        for a in report() {
            if a.implemented() {
                assert!(
                    !a.tests.is_empty(),
                    "Art. {} ({}) has rules but no test named art{}_…",
                    a.article,
                    a.title,
                    a.article
                );
            }
        }
    }

    #[test]
    fn justified_articles_have_no_rules_claiming_them() {
        for a in report() {
            if a.nothing_to_decide.is_some() {
                assert!(
                    a.kinds.is_empty(),
                    "Art. {} is justified as undecidable but {:?} claim it",
                    a.article,
                    a.kinds
                );
            }
        }
    }
}
