//! Directive 2023/977 Art. 18: the yearly statistics, from the counters kept with each message.

use super::*;

/// Directive 2023/977 Art. 18: one year's statistics.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Art18Report {
    pub year: i64,
    /// (a) requests submitted, by addressed party and urgency.
    pub submitted: Vec<Art18Line>,
    /// (b) requests received, by requesting party and urgency.
    pub received: Vec<Art18Line>,
    /// (b) of those, answered.
    pub answered: Vec<Art18Line>,
    /// (c) refusals by requesting party and ground.
    pub refused: Vec<Art18Line>,
    /// (d) answers late because a judicial authorisation had to be obtained (Art. 5(3)).
    pub late_for_judicial_authorisation: Vec<Art18Line>,
}

/// One count of the Art. 18 report.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Art18Line {
    pub party: String,
    /// `urgent`/`non_urgent`, or a refusal's ground.
    pub detail: String,
    pub count: i64,
}

impl Desk {
    /// Directive 2023/977 Art. 18: the statistics of `year`, counted as messages were stored.
    pub async fn art18(&self, user: &User, year: i64) -> Result<Art18Report, DeskError> {
        self.demand(user, &[Role::ContactPoint, Role::Supervisor, Role::Dpo])?;
        if !(2000..=2100).contains(&year) {
            return Err(DeskError::invalid(format!("year {year} is outside 2000…2100")));
        }
        let mut report = Art18Report {
            year,
            submitted: Vec::new(),
            received: Vec::new(),
            answered: Vec::new(),
            refused: Vec::new(),
            late_for_judicial_authorisation: Vec::new(),
        };
        for s in self.node.store.case_stats(year).await? {
            let line = Art18Line {
                party: s.party,
                detail: s.detail,
                count: s.n,
            };
            match s.metric.as_str() {
                "submitted" => report.submitted.push(line),
                "received" => report.received.push(line),
                "answered" => report.answered.push(line),
                "refused" => report.refused.push(line),
                "late_for_judicial_authorisation" => report.late_for_judicial_authorisation.push(line),
                _ => {}
            }
        }
        Ok(report)
    }
}

impl Art18Report {
    /// The report as CSV: `section,party,detail,count`.
    pub fn csv(&self) -> String {
        let mut out = String::from("section,party,detail,count\n");
        for (section, lines) in [
            ("submitted", &self.submitted),
            ("received", &self.received),
            ("answered", &self.answered),
            ("refused", &self.refused),
            ("late_for_judicial_authorisation", &self.late_for_judicial_authorisation),
        ] {
            for l in lines {
                out.push_str(&format!(
                    "{section},{},{},{}\n",
                    l.party,
                    l.detail.replace(',', ";"),
                    l.count
                ));
            }
        }
        out
    }
}
